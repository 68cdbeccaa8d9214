using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Auth;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>
/// Datapoints planted as an outside attacker plants them: with a key of the <c>ingest</c> scope
/// only, through <c>POST /v1/datapoints/batch</c>, so the attacker knows every value it attacks.
/// </summary>
public static class Planting
{
    public static Task<HttpClient> IngestClientAsync(this CompApiFactory factory, string name = "attacker") => factory.KeyClientAsync(name, "ingest");

    /// <summary>A client with a new key of these scopes, made by the bootstrap admin key.</summary>
    public static async Task<HttpClient> KeyClientAsync(this CompApiFactory factory, string name, params string[] scopes)
    {
        var response = await factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name, scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeySecrets.HeaderName, created.GetProperty("key").GetString());
        return client;
    }

    /// <summary>Stores every row, in batches of at most 20,000, or fails naming the answer.</summary>
    public static async Task PlantAsync(this HttpClient ingest, IEnumerable<Dictionary<string, object?>> rows)
    {
        foreach (var batch in rows.Chunk(20_000))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch") { Content = JsonContent.Create(batch) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            var response = await ingest.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"planting answered {(int)response.StatusCode}: {body}");
            Assert.Equal(batch.Length, JsonDocument.Parse(body).RootElement.GetProperty("accepted").GetInt32());
        }
    }

    /// <summary>A seed row as the body an ingest key posts (base salary only, as the attack tests plant).</summary>
    public static Dictionary<string, object?> Body(SeedRow row) =>
        Datapoints.Valid(row.Employer, row.Role, row.Region, row.BaseSalary, row.Currency, row.EffectiveDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .With("level", row.Level).With("source", row.Source).With("verified", row.Verified);
}
