using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.Keys;

public sealed class KeyTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task<(Guid Id, string Secret)> CreateKeyAsync(params string[] scopes)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name = "test " + string.Join("+", scopes), scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    private HttpClient ClientWith(string? secret)
    {
        var client = Factory.CreateClient();
        if (secret is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    [Fact]
    public async Task A_key_is_shown_once_and_stored_only_as_a_hash()
    {
        var (id, secret) = await CreateKeyAsync("ingest");

        Assert.StartsWith("comp_", secret);
        Assert.True(secret.Length >= 40, "at least 128 bits of randomness");
        var list = await (await Factory.CreateAdminClient().GetAsync("/v1/keys")).Content.ReadAsStringAsync();
        Assert.Contains(id.ToString(), list);
        Assert.DoesNotContain(secret, list);
        Assert.Equal(0L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM api_keys WHERE encode(secret_hash, 'escape') LIKE '%{secret[5..15]}%'"));
    }

    public static TheoryData<string, string, string?, HttpStatusCode> Routes => new()
    {
        // route, method, scope of the key (null: no key), expected status
        { "/v1/bands", "GET", null, HttpStatusCode.OK },
        { "/v1/bands", "GET", "read", HttpStatusCode.OK },
        { "/v1/bands", "GET", "ingest", HttpStatusCode.Forbidden },
        { "/v1/roles", "GET", "ingest", HttpStatusCode.Forbidden },
        { "/v1/datapoints", "POST", null, HttpStatusCode.Unauthorized },
        { "/v1/datapoints", "POST", "read", HttpStatusCode.Forbidden },
        { "/v1/datapoints", "POST", "ingest", HttpStatusCode.Created },
        { "/v1/datapoints/batch", "POST", "read", HttpStatusCode.Forbidden },
        { "/v1/datapoints/batch", "POST", "ingest", HttpStatusCode.OK },
        { "/v1/keys", "GET", "ingest", HttpStatusCode.Forbidden },
        { "/v1/keys", "GET", null, HttpStatusCode.Unauthorized },
        { "/v1/fx-rates", "PUT", "ingest", HttpStatusCode.Forbidden },
        { "/v1/roles", "POST", "read", HttpStatusCode.Forbidden },
        { "/v1/keys", "GET", "admin", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_route_needs_its_scope(string route, string method, string? scope, HttpStatusCode expected)
    {
        var secret = scope is null ? null : (await CreateKeyAsync(scope)).Secret;
        var request = new HttpRequestMessage(new HttpMethod(method), route);
        if (method != "GET")
            request.Content = route switch
            {
                "/v1/datapoints" => JsonContent.Create(Infrastructure.Datapoints.Valid()),
                "/v1/datapoints/batch" => JsonContent.Create(new[] { Infrastructure.Datapoints.Valid() }),
                "/v1/fx-rates" => JsonContent.Create(Array.Empty<object>()),
                _ => JsonContent.Create(new { slug = "new-role", title = "New", family = "x" }),
            };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await ClientWith(secret).SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if ((int)expected >= 400)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_its_next_request_on_every_route()
    {
        var (id, secret) = await CreateKeyAsync("ingest", "read");
        var client = ClientWith(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/bands")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Factory.CreateAdminClient().DeleteAsync($"/v1/keys/{id}")).StatusCode);

        foreach (var route in new[] { "/v1/bands", "/v1/roles", "/health/live", "/swagger/v1/swagger.json" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);
        var listed = (await JsonAsync(await Factory.CreateAdminClient().GetAsync("/v1/keys"))).EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == id);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task A_datapoint_is_visible_to_the_key_that_posted_it_and_to_admins_only()
    {
        var (_, mine) = await CreateKeyAsync("ingest");
        var (_, other) = await CreateKeyAsync("ingest");
        var created = await ClientWith(mine).PostOkAsync(Infrastructure.Datapoints.Valid());
        var path = $"/v1/datapoints/{created.GetProperty("id")}";

        Assert.Equal(HttpStatusCode.OK, (await ClientWith(mine).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ClientWith(other).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Factory.CreateAdminClient().GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Last_use_is_written_in_the_background_and_before_the_keys_are_listed()
    {
        var (id, secret) = await CreateKeyAsync("read");
        Assert.Equal(HttpStatusCode.OK, (await ClientWith(secret).GetAsync("/v1/roles")).StatusCode);
        // The request only notes the use: no write on the request's path.
        Assert.Equal(0L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM api_keys WHERE id = '{id}' AND last_used_at IS NOT NULL"));

        var listed = (await JsonAsync(await Factory.CreateAdminClient().GetAsync("/v1/keys"))).EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == id);
        var lastUsed = listed.GetProperty("lastUsedAt").GetDateTimeOffset();
        Assert.InRange(DateTimeOffset.UtcNow - lastUsed, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(1L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM api_keys WHERE id = '{id}' AND last_used_at > now() - interval '1 minute'"));
    }

    [Fact]
    public async Task Keys_are_checked_from_memory_yet_a_change_on_another_instance_counts_on_the_next_request()
    {
        // Two API processes on one database: each has its own key cache and index.
        await using var other = Factory.WithWebHostBuilder(_ => { });
        var (id, secret) = await CreateKeyAsync("read");
        var here = ClientWith(secret);
        var there = other.CreateClient();
        there.DefaultRequestHeaders.Add("X-Api-Key", secret);
        // Created on this instance, accepted at once on the other.
        Assert.Equal(HttpStatusCode.OK, (await there.GetAsync("/v1/roles")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/v1/roles")).StatusCode);

        var cache = other.Services.GetRequiredService<Comp.Api.Auth.ApiKeyCache>();
        var reloads = cache.Reloads;
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await there.GetAsync("/v1/levels")).StatusCode);
        Assert.Equal(reloads, cache.Reloads);

        // Revoked through this instance's route: the other refuses it on its next request.
        Assert.Equal(HttpStatusCode.NoContent, (await Factory.CreateAdminClient().DeleteAsync($"/v1/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await there.GetAsync("/v1/roles")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await here.GetAsync("/v1/bands")).StatusCode);
        Assert.Equal(reloads + 1, cache.Reloads);
    }

    [Fact]
    public async Task A_key_revoked_or_narrowed_in_the_database_directly_is_refused_on_its_next_request()
    {
        var (_, secret) = await CreateKeyAsync("read", "ingest");
        var client = ClientWith(secret);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);

        // An operator's SQL, not the API: the trigger moves the key table's version all the same.
        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET scopes = ARRAY['read'] WHERE name = 'test read+ingest' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/roles")).StatusCode);

        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE name = 'test read+ingest' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/roles")).StatusCode);
    }

    [Fact]
    public async Task Writing_last_use_does_not_move_the_key_tables_version()
    {
        var before = await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version");
        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET last_used_at = now() RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(before, await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version"));
        await CreateKeyAsync("read");
        Assert.NotEqual(before, await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version"));
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"scopes\": [\"root\"]}", "scopes")]
    [InlineData("{\"name\": \"\", \"scopes\": [\"read\"]}", "name")]
    [InlineData("{\"name\": \"x\", \"scopes\": []}", "scopes")]
    public async Task A_bad_key_request_is_a_400_naming_the_field(string json, string field)
    {
        var response = await Factory.CreateAdminClient().PostAsync("/v1/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }
}
