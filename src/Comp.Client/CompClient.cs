using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Polly;

namespace Comp.Client;

/// <summary>
/// Typed client of the Comp API v1. The caller owns the <see cref="HttpClient"/> and sets its
/// <c>BaseAddress</c>. Every call runs through one resilience pipeline (retry, circuit breaker,
/// per-attempt timeout; see <c>CompResilience</c>). An error answer throws
/// <see cref="CompApiException"/>; an open circuit throws <see cref="Polly.CircuitBreaker.BrokenCircuitException"/>;
/// a transport failure that outlasts the retries surfaces as it came (<see cref="HttpRequestException"/>,
/// <see cref="IOException"/>, <see cref="Polly.Timeout.TimeoutRejectedException"/>).
/// </summary>
public sealed class CompClient
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // The API rejects unknown fields, not absent ones: leaving nulls out keeps bodies small and lets the server default.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient http;
    private readonly CompClientOptions options;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    public CompClient(HttpClient http, CompClientOptions? options = null)
    {
        this.http = http;
        this.options = options ?? new CompClientOptions();
        pipeline = CompResilience.Build(this.options);
    }

    // ---- Datapoints ----

    /// <summary>
    /// Stores one datapoint. Sends an <c>Idempotency-Key</c> (a new one per call unless given) and
    /// reuses it on every retry, so a retried post is stored once.
    /// </summary>
    public Task<Datapoint> PostDatapointAsync(DatapointRequest datapoint, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        CallAsync<Datapoint>(HttpMethod.Post, "v1/datapoints", cancellationToken, JsonBody(datapoint), idempotencyKey ?? NewKey());

    /// <summary>
    /// Stores up to 50,000 rows in one request, all or nothing unless <paramref name="allowPartial"/>.
    /// One <c>Idempotency-Key</c> (a new one per call unless given) is sent on every retry, so a batch
    /// whose answer was lost is stored once and the retry gets the original answer. A refused batch
    /// throws <see cref="CompApiException"/> whose <see cref="CompApiException.Rejected"/> lists the bad rows.
    /// </summary>
    public Task<BatchResult> PostBatchAsync(
        IReadOnlyList<DatapointRequest> rows, bool allowPartial = false, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        CallAsync<BatchResult>(HttpMethod.Post, $"v1/datapoints/batch?allowPartial={(allowPartial ? "true" : "false")}", cancellationToken,
            options.NdjsonBatches ? NdjsonBody(rows) : JsonBody(rows), idempotencyKey ?? NewKey());

    /// <summary>Reads back a datapoint posted with this key (any datapoint for an admin key).</summary>
    public Task<Datapoint> GetDatapointAsync(Guid id, CancellationToken cancellationToken = default) =>
        CallAsync<Datapoint>(HttpMethod.Get, $"v1/datapoints/{id}", cancellationToken);

    /// <summary>Retracts a datapoint (admin).</summary>
    public Task DeleteDatapointAsync(Guid id, CancellationToken cancellationToken = default) =>
        CallAsync(HttpMethod.Delete, $"v1/datapoints/{id}", cancellationToken);

    // ---- Bands ----

    /// <summary>Percentile bands for a cut of the data.</summary>
    public Task<BandResponse> GetBandsAsync(BandQuery query, CancellationToken cancellationToken = default) =>
        CallAsync<BandResponse>(HttpMethod.Get, WithQuery("v1/bands", query.ToQueryString()), cancellationToken);

    /// <summary>The cells of <see cref="GetBandsAsync"/> as CSV text.</summary>
    public Task<string> GetBandsCsvAsync(BandQuery query, CancellationToken cancellationToken = default) =>
        CallForTextAsync(HttpMethod.Get, WithQuery("v1/bands", query.ToQueryString()), cancellationToken, accept: "text/csv");

    /// <summary>One cell per labelled segment, side by side.</summary>
    public Task<BandResponse> CompareAsync(CompareRequest request, CancellationToken cancellationToken = default) =>
        CallAsync<BandResponse>(HttpMethod.Post, "v1/bands/compare", cancellationToken, JsonBody(request));

    /// <summary>Where <paramref name="amount"/> falls in the one cell <paramref name="query"/> selects.</summary>
    public Task<PositionResponse> GetPositionAsync(decimal amount, BandQuery query, CancellationToken cancellationToken = default) =>
        CallAsync<PositionResponse>(HttpMethod.Get,
            WithQuery("v1/bands/position", QueryString.Of([("amount", amount.ToString(CultureInfo.InvariantCulture)), .. query.Parameters()])), cancellationToken);

    /// <summary>One cell per <paramref name="interval"/> (<c>quarter</c> or <c>year</c>), oldest first, period in <c>group["period"]</c>.</summary>
    public Task<BandResponse> GetTrendAsync(BandQuery query, string interval = "year", CancellationToken cancellationToken = default) =>
        CallAsync<BandResponse>(HttpMethod.Get,
            WithQuery("v1/bands/trend", QueryString.Of([("interval", interval), .. query.Parameters()])), cancellationToken);

    /// <summary>One segment's band drawn as SVG text.</summary>
    public Task<string> GetChartSvgAsync(BandQuery query, CancellationToken cancellationToken = default) =>
        CallForTextAsync(HttpMethod.Get, WithQuery("v1/bands/chart.svg", query.ToQueryString()), cancellationToken);

    /// <summary>Several segments drawn side by side as SVG text.</summary>
    public Task<string> PostChartSvgAsync(CompareRequest request, CancellationToken cancellationToken = default) =>
        CallForTextAsync(HttpMethod.Post, "v1/bands/chart.svg", cancellationToken, JsonBody(request));

    // ---- Taxonomy ----

    public Task<IReadOnlyList<Employer>> GetEmployersAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<Employer>>(HttpMethod.Get, "v1/employers", cancellationToken);

    public Task<IReadOnlyList<Role>> GetRolesAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<Role>>(HttpMethod.Get, "v1/roles", cancellationToken);

    public Task<IReadOnlyList<Level>> GetLevelsAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<Level>>(HttpMethod.Get, "v1/levels", cancellationToken);

    /// <summary>Regions; <paramref name="parent"/> keeps the direct children of a region, <paramref name="kind"/> one kind (country, subdivision, metro).</summary>
    public Task<IReadOnlyList<Region>> GetRegionsAsync(string? parent = null, string? kind = null, CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<Region>>(HttpMethod.Get, WithQuery("v1/regions", QueryString.Of([("parent", parent), ("kind", kind)])), cancellationToken);

    // Creating is not idempotent (a second attempt answers 409), so these are retried only when the server
    // says it did nothing (429).

    /// <summary>Adds an employer (admin).</summary>
    public Task<Employer> CreateEmployerAsync(string slug, string name, CancellationToken cancellationToken = default) =>
        CallAsync<Employer>(HttpMethod.Post, "v1/employers", cancellationToken, JsonBody(new { slug, name }), replayable: false);

    /// <summary>Adds a role (admin).</summary>
    public Task<Role> CreateRoleAsync(string slug, string title, string family, CancellationToken cancellationToken = default) =>
        CallAsync<Role>(HttpMethod.Post, "v1/roles", cancellationToken, JsonBody(new { slug, title, family }), replayable: false);

    /// <summary>Adds a region (admin); its parent is implied by the code and must exist.</summary>
    public Task<Region> CreateRegionAsync(string code, string name, string currency, CancellationToken cancellationToken = default) =>
        CallAsync<Region>(HttpMethod.Post, "v1/regions", cancellationToken, JsonBody(new { code, name, currency }), replayable: false);

    /// <summary>An employer's level mapping.</summary>
    public Task<LevelMapping> GetEmployerLevelsAsync(string employer, CancellationToken cancellationToken = default) =>
        CallAsync<LevelMapping>(HttpMethod.Get, $"v1/employers/{Uri.EscapeDataString(employer)}/levels", cancellationToken);

    /// <summary>Replaces an employer's whole level mapping (admin), e.g. <c>{ "E5": "L5" }</c>.</summary>
    public Task<LevelMapping> PutEmployerLevelsAsync(string employer, IReadOnlyDictionary<string, string> levels, CancellationToken cancellationToken = default) =>
        CallAsync<LevelMapping>(HttpMethod.Put, $"v1/employers/{Uri.EscapeDataString(employer)}/levels", cancellationToken, JsonBody(new { levels }));

    /// <summary><c>GET /v1/employers/{employer}/vesting</c>: the employer's default vesting schedules.</summary>
    public Task<VestingDefaults> GetEmployerVestingAsync(string employer, CancellationToken cancellationToken = default) =>
        CallAsync<VestingDefaults>(HttpMethod.Get, $"v1/employers/{Uri.EscapeDataString(employer)}/vesting", cancellationToken);

    /// <summary>
    /// <c>PUT /v1/employers/{employer}/vesting</c> (admin): replaces both defaults (null removes one); the employer's datapoints
    /// without a schedule of their own follow at once (<see cref="VestingDefaults.Reapplied"/>).
    /// </summary>
    public Task<VestingDefaults> PutEmployerVestingAsync(string employer, IReadOnlyList<decimal>? equity, IReadOnlyList<decimal>? retention, CancellationToken cancellationToken = default) =>
        CallAsync<VestingDefaults>(HttpMethod.Put, $"v1/employers/{Uri.EscapeDataString(employer)}/vesting", cancellationToken, JsonBody(new { equity, retention }));

    // ---- FX ----

    /// <summary>The FX table, or one currency's rates.</summary>
    public Task<IReadOnlyList<FxRate>> GetFxRatesAsync(string? currency = null, CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<FxRate>>(HttpMethod.Get,
            WithQuery("v1/fx-rates", QueryString.Of([("currency", currency)])), cancellationToken);

    /// <summary>Adds or replaces rates by (currency, date), all or nothing (admin); returns how many were written.</summary>
    public async Task<int> PutFxRatesAsync(IReadOnlyList<FxRate> rates, CancellationToken cancellationToken = default) =>
        (await CallAsync<JsonElement>(HttpMethod.Put, "v1/fx-rates", cancellationToken, JsonBody(rates))).GetProperty("upserted").GetInt32();

    // ---- API keys (admin) ----

    /// <summary>Creates a key with scopes <c>read</c>, <c>ingest</c> and/or <c>admin</c>; the secret is in the answer only.</summary>
    public Task<ApiKeyCreated> CreateKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken = default) =>
        CallAsync<ApiKeyCreated>(HttpMethod.Post, "v1/keys", cancellationToken, JsonBody(new { name, scopes }), replayable: false);

    public Task<IReadOnlyList<ApiKeyInfo>> GetKeysAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<ApiKeyInfo>>(HttpMethod.Get, "v1/keys", cancellationToken);

    /// <summary>Revokes a key: it answers 401 from then on.</summary>
    public Task RevokeKeyAsync(Guid id, CancellationToken cancellationToken = default) =>
        CallAsync(HttpMethod.Delete, $"v1/keys/{id}", cancellationToken);

    // ---- Health ----

    /// <summary>Whether the process answers (<c>/health/live</c>).</summary>
    public Task<bool> IsLiveAsync(CancellationToken cancellationToken = default) => ProbeAsync("health/live", cancellationToken);

    /// <summary>Whether the service and its database are ready (<c>/health/ready</c>).</summary>
    public Task<bool> IsReadyAsync(CancellationToken cancellationToken = default) => ProbeAsync("health/ready", cancellationToken);

    // A probe reports the state now, so it bypasses the pipeline: retries would only delay the answer.
    private async Task<bool> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.AttemptTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    // ---- Sending ----

    /// <summary>A body serialized once and sent unchanged by every attempt.</summary>
    private sealed record Body(byte[] Bytes, string MediaType);

    private static Body JsonBody<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value, Json), "application/json");

    private static Body NdjsonBody(IReadOnlyList<DatapointRequest> rows)
    {
        using var buffer = new MemoryStream();
        foreach (var row in rows)
        {
            JsonSerializer.Serialize(buffer, row, Json);
            buffer.WriteByte((byte)'\n');
        }
        return new Body(buffer.ToArray(), "application/x-ndjson");
    }

    private static string NewKey() => Guid.NewGuid().ToString();

    // Relative paths without a leading slash keep a BaseAddress path such as https://host/comp/.
    private static string WithQuery(string path, string query) => query.Length == 0 ? path : $"{path}?{query}";

    private async Task<T> CallAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken,
        Body? body = null, string? idempotencyKey = null, bool replayable = true)
    {
        using var response = await SendAsync(method, path, cancellationToken, body, idempotencyKey, replayable);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    private async Task<string> CallForTextAsync(HttpMethod method, string path, CancellationToken cancellationToken, Body? body = null, string? accept = null)
    {
        using var response = await SendAsync(method, path, cancellationToken, body, accept: accept);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task CallAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, cancellationToken, body: null);
    }

    /// <summary>Sends through the pipeline; a success answer is returned, an error answer thrown.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken,
        Body? body, string? idempotencyKey = null, bool replayable = true, string? accept = null)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CompResilience.Replayable, replayable);
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(async ctx =>
            {
                // A request message can be sent only once: each attempt builds its own from the same bytes and key.
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
                if (body is not null)
                    request.Content = new ByteArrayContent(body.Bytes) { Headers = { ContentType = new MediaTypeHeaderValue(body.MediaType) } };
                if (options.ApiKey is not null)
                    request.Headers.Add("X-Api-Key", options.ApiKey);
                if (idempotencyKey is not null)
                    request.Headers.Add("Idempotency-Key", idempotencyKey);
                if (accept is not null)
                    request.Headers.Accept.ParseAdd(accept);
                return await http.SendAsync(request, ctx.CancellationToken);
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
                throw await CompApiException.ReadAsync(response, cancellationToken);
        }
        return response;
    }
}
