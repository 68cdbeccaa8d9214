using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comp.Api.Tests.Features.Keys;

/// <summary>
/// Key leases (Auth/ApiKeyLeases.cs, migration KeyLeases): instances that hold one check keys from
/// memory without a round trip, and a key revoked or narrowed anywhere (the API or plain SQL) is
/// still refused on its next request on every instance, because the change cannot commit while a
/// lease is unexpired and no lease is taken at the old version meanwhile.
/// </summary>
public sealed class KeyLeaseTests(CompApiFactory factory) : ApiTest(factory)
{
    private WebApplicationFactory<Program> Instance(int leaseMilliseconds = 3_000) =>
        Factory.WithWebHostBuilder(b => b.UseSetting("Auth:KeyLeaseMilliseconds", leaseMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task HoldsLeaseAsync(WebApplicationFactory<Program> instance)
    {
        _ = instance.Server; // started: its keeper takes the lease in the background
        var lease = instance.Services.GetRequiredService<ApiKeyLease>();
        var waited = Stopwatch.StartNew();
        while (!lease.Holds && waited.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        Assert.True(lease.Holds, "no key lease within 20 s");
    }

    private async Task<(Guid Id, string Secret)> CreateKeyAsync(string name, params string[] scopes)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name, scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    private static HttpClient ClientOf(WebApplicationFactory<Program> instance, string secret)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    [Fact]
    public async Task Under_a_lease_keys_are_checked_without_a_round_trip_and_a_revocation_anywhere_counts_on_the_next_request()
    {
        await using var here = Instance();
        await using var there = Instance();
        await HoldsLeaseAsync(here);
        await HoldsLeaseAsync(there);
        var (id, secret) = await CreateKeyAsync("lease read", "read");
        var (_, narrowed) = await CreateKeyAsync("lease read+ingest", "read", "ingest");
        var (_, revokedBySql) = await CreateKeyAsync("lease sql", "read");
        var onHere = ClientOf(here, secret);
        var onThere = ClientOf(there, secret);

        // A key made after the cache was loaded is not in it: the first request asks the primary, then none does.
        Assert.Equal(HttpStatusCode.OK, (await onThere.GetAsync("/v1/levels")).StatusCode);
        var watch = there.Services.GetRequiredService<PrimaryWatch>();
        var queries = watch.Queries;
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await onThere.GetAsync("/v1/levels")).StatusCode);
        // Without a lease each of the 20 requests makes one; a lease renewed late (a loaded machine) costs one per request until renewed.
        Assert.True(watch.Queries - queries < 5, $"{watch.Queries - queries} freshness round trips for 20 keyed requests under a lease");

        // Revoked through one instance's route: both refuse it on the next request, leases held.
        Assert.Equal(HttpStatusCode.OK, (await onHere.GetAsync("/v1/levels")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ClientOf(here, CompApiFactory.AdminKey).DeleteAsync($"/v1/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onThere.GetAsync("/v1/levels")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onHere.GetAsync("/v1/levels")).StatusCode);

        // Plain SQL (an operator's): narrowed, then revoked; each counts on the next request everywhere.
        var ingest = ClientOf(there, narrowed);
        Assert.Equal(HttpStatusCode.Created, (await ingest.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);
        await HoldsLeaseAsync(there);
        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET scopes = ARRAY['read'] WHERE name = 'lease read+ingest' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);
        var bySql = ClientOf(here, revokedBySql);
        Assert.Equal(HttpStatusCode.OK, (await bySql.GetAsync("/v1/levels")).StatusCode);
        await HoldsLeaseAsync(here);
        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE name = 'lease sql' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(HttpStatusCode.Unauthorized, (await bySql.GetAsync("/v1/levels")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ClientOf(there, revokedBySql).GetAsync("/v1/levels")).StatusCode);
    }

    /// <summary>
    /// The mechanism in PostgreSQL alone: a revocation cannot commit before an unexpired lease
    /// lapses, and a renewal at the old version sent meanwhile waits for it and is then refused.
    /// </summary>
    [Fact]
    public async Task A_revocation_waits_for_every_unexpired_lease_and_no_lease_is_taken_at_the_old_version_meanwhile()
    {
        await CreateKeyAsync("lease wait", "read");
        var old = await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version");
        await Factory.ScalarAsync<long>($"WITH i AS (INSERT INTO api_key_leases VALUES ('test-lease', '{old}', now() + interval '1.5 seconds') RETURNING 1) SELECT count(*) FROM i");

        var revoking = Stopwatch.StartNew();
        var revoke = Factory.ScalarAsync<long>("WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE name = 'lease wait' RETURNING 1) SELECT count(*) FROM u");
        await Task.Delay(300);
        Assert.False(revoke.IsCompleted, "the revocation committed with a lease unexpired");
        // A renewal at the version it loaded before the revocation: it waits for it, then finds the version moved.
        await using var connection = await Factory.OpenAsync();
        await using var renew = new NpgsqlCommand("""
            WITH v AS (SELECT changed_by FROM api_keys_version WHERE id FOR SHARE)
            INSERT INTO api_key_leases (instance, seen, expires_at)
            SELECT 'test-lease', v.changed_by, now() + interval '10 seconds' FROM v WHERE v.changed_by::text = @loaded
            ON CONFLICT (instance) DO UPDATE SET seen = excluded.seen, expires_at = excluded.expires_at
            RETURNING 1
            """, connection);
        renew.Parameters.AddWithValue("loaded", old);
        Assert.Null(await renew.ExecuteScalarAsync());
        Assert.Equal(1L, await revoke);
        Assert.True(revoking.Elapsed >= TimeSpan.FromSeconds(1.2), $"the revocation committed after {revoking.ElapsedMilliseconds} ms, before the lease expired");
        Assert.NotEqual(old, await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version"));

        // Creating a key waits for no lease (an instance asks the primary about a key it does not know).
        await Factory.ScalarAsync<long>("WITH u AS (UPDATE api_key_leases SET expires_at = now() + interval '30 seconds' RETURNING 1) SELECT count(*) FROM u");
        var creating = Stopwatch.StartNew();
        await CreateKeyAsync("lease new", "read");
        Assert.True(creating.Elapsed < TimeSpan.FromSeconds(25), $"creating a key took {creating.ElapsedMilliseconds} ms: it waited for the lease");
        await Factory.ScalarAsync<long>("WITH d AS (DELETE FROM api_key_leases WHERE instance = 'test-lease' RETURNING 1) SELECT count(*) FROM d");
    }

    [Fact]
    public async Task An_instance_that_stops_gives_its_lease_back()
    {
        string name;
        await using (var instance = Instance())
        {
            await HoldsLeaseAsync(instance);
            name = instance.Services.GetRequiredService<ApiKeyLease>().Instance;
            Assert.Equal(1L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM api_key_leases WHERE instance = '{name}' AND expires_at > now()"));
        }
        Assert.Equal(0L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM api_key_leases WHERE instance = '{name}'"));
    }
}
