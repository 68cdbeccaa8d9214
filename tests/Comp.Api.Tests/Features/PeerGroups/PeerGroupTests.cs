using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Auth;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.PeerGroups;

/// <summary>
/// Saved peer groups (issue 18): by list and by rule (a rule re-evaluated when an employer's
/// attributes change), used as <c>peerGroup=</c> with exact figures checked against a type-7 oracle
/// over the planted values; the 10-employer and difference rules (409s naming the rule and not the
/// other group); ownership; the protected tier's rule for ad hoc employer sets; and the ETag and
/// answer cache, which must not hand an owner's answer to another key.
/// </summary>
public sealed class PeerGroupTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);

    /// <summary>pg-01 … pg-<paramref name="count"/>: three ML engineers each in us-ca, base 100k + 7k·i + 1k·j (j = 0, 1, 2).</summary>
    private async Task PlantAsync(int count = 12)
    {
        var rows = new List<SeedRow>();
        for (var i = 1; i <= count; i++)
            for (var j = 0; j < 3; j++)
                rows.Add(new SeedRow(Slug(i), "ml-engineer", "L4", "us-ca", "USD", March, Pay(i, j)));
        await Factory.InsertAsync(rows);
    }

    private static string Slug(int i) => $"pg-{i:00}";

    private static decimal Pay(int i, int j) => 100_000m + 7_000m * i + 1_000m * j;

    private static IEnumerable<decimal> PayOf(IEnumerable<int> employers) => employers.SelectMany(i => Enumerable.Range(0, 3).Select(j => Pay(i, j)));

    /// <summary>The oracle: type 7 (PostgreSQL percentile_cont) over the values, rounded to cents.</summary>
    private static decimal Type7(IEnumerable<decimal> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        var h = (sorted.Length - 1) * percentile / 100m;
        var below = (int)Math.Floor(h);
        var value = below + 1 < sorted.Length ? sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
        return Math.Round(value, 2);
    }

    private async Task SetAsync(string slug, object attributes) =>
        Assert.Equal(HttpStatusCode.OK, (await Factory.CreateAdminClient().PatchAsync($"/v1/employers/{slug}", JsonContent.Create(attributes))).StatusCode);

    private static async Task<JsonElement> CreatedAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/peer-groups", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /v1/peer-groups answered {(int)response.StatusCode}: {text}");
        var group = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"/v1/peer-groups/{group.GetProperty("id").GetString()}", response.Headers.Location!.OriginalString);
        return group;
    }

    private static object List(string name, IEnumerable<int> employers) => new { name, employers = employers.Select(Slug).ToArray() };

    private static async Task<JsonElement> CellAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/v1/bands?component=base&" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query} answered {(int)response.StatusCode}: {text}");
        return Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("cells").EnumerateArray());
    }

    private static void AssertBand(JsonElement cell, IReadOnlyCollection<int> employers)
    {
        var values = PayOf(employers).ToList();
        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(values.Count, cell.GetProperty("n").GetInt32());
        Assert.Equal(employers.Count, cell.GetProperty("employers").GetInt32());
        foreach (var p in new[] { 10, 25, 50, 75, 90 })
            Assert.Equal(Type7(values, p), cell.GetProperty("percentiles").GetProperty($"p{p}").GetDecimal());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, string rule)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(rule, problem.GetProperty("rule").GetString());
        Assert.Contains(rule, problem.GetProperty("detail").GetString());
    }

    private static async Task AssertBadPeerGroupAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.Equal(["peerGroup"], errors.EnumerateObject().Select(e => e.Name));
        Assert.StartsWith("Unknown peer group", errors.GetProperty("peerGroup")[0].GetString());
    }

    [Fact]
    public async Task A_list_group_and_a_rule_group_give_the_bands_of_their_members_and_the_rule_follows_the_attributes()
    {
        await PlantAsync();
        // pg-01 … pg-10 are AI labs, pg-11 and pg-12 big tech.
        for (var i = 1; i <= 12; i++)
            await SetAsync(Slug(i), new { industry = i <= 10 ? "ai-lab" : "big-tech" });
        var analyst = await Factory.KeyClientAsync("analyst", "read", "exact");

        // A list: pg-01 … pg-08, pg-11, pg-12 (ten employers, given out of order and once twice).
        int[] listed = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12];
        var list = await CreatedAsync(analyst, new { name = "  Labs and big tech  ", employers = new[] { "pg-12", "pg-01", "pg-02", "pg-03", "pg-04", "pg-05", "pg-06", "pg-07", "pg-08", "pg-11", "pg-01" } });
        Assert.Equal("Labs and big tech", list.GetProperty("name").GetString());
        Assert.Equal(listed.Select(Slug), list.GetProperty("employers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("where").ValueKind);
        var listId = list.GetProperty("id").GetString();
        AssertBand(await CellAsync(analyst, $"peerGroup={listId}"), listed);

        // A rule: every AI lab, pg-01 … pg-10 (differs from the list by pg-09, pg-10, pg-11, pg-12).
        var rule = await CreatedAsync(analyst, new { name = "AI labs", where = new { industry = new[] { "ai-lab" } } });
        Assert.Equal(Enumerable.Range(1, 10).Select(Slug), rule.GetProperty("employers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ai-lab"], rule.GetProperty("where").GetProperty("industry").EnumerateArray().Select(e => e.GetString()));
        var ruleId = rule.GetProperty("id").GetString();
        var before = await analyst.GetAsync($"/v1/bands?component=base&peerGroup={ruleId}");
        AssertBand(Assert.Single((await JsonAsync(before)).GetProperty("cells").EnumerateArray()), [.. Enumerable.Range(1, 10)]);

        // pg-11 becomes an AI lab: the rule now has eleven members, at once and under a new ETag.
        await SetAsync("pg-11", new { industry = "ai-lab" });
        var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/bands?component=base&peerGroup={ruleId}");
        again.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        var after = await analyst.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        AssertBand(Assert.Single((await JsonAsync(after)).GetProperty("cells").EnumerateArray()), [.. Enumerable.Range(1, 11)]);
        var read = await JsonAsync(await analyst.GetAsync($"/v1/peer-groups/{ruleId}"));
        Assert.Equal(Enumerable.Range(1, 11).Select(Slug), read.GetProperty("employers").EnumerateArray().Select(e => e.GetString()));
        // The list is fixed: pg-11's move changes nothing there.
        AssertBand(await CellAsync(analyst, $"peerGroup={listId}"), listed);

        // Combined with the other employer filters: intersected, less the excluded.
        AssertBand(await CellAsync(analyst, $"peerGroup={ruleId}&industry=ai-lab&excludeEmployer=pg-01,pg-02"), [.. Enumerable.Range(3, 9)]);
        AssertBand(await CellAsync(analyst, $"peerGroup={listId}&employer=pg-01,pg-02,pg-03,pg-04,pg-05,pg-09"), [1, 2, 3, 4, 5]);
        // A single named member is that employer's own cell (three datapoints: too few, but no employer rule); a non-member leaves nothing.
        Assert.Equal(["too_few_datapoints"], (await CellAsync(analyst, $"peerGroup={listId}&employer=pg-12")).GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(JsonValueKind.Null, (await CellAsync(analyst, $"peerGroup={listId}&employer=pg-09")).GetProperty("n").ValueKind);

        // Every band route takes it: compare, position, trend, chart.
        var compared = await JsonAsync(await analyst.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            segments = new object[] { new { label = "list", filter = new { peerGroup = listId } }, new { label = "labs", filter = new { peerGroup = ruleId } } },
        }));
        var cells = compared.GetProperty("cells").EnumerateArray().ToList();
        AssertBand(cells[0], listed);
        AssertBand(cells[1], [.. Enumerable.Range(1, 11)]);
        var median = Type7(PayOf(listed), 50);
        var position = await JsonAsync(await analyst.GetAsync($"/v1/bands/position?component=base&peerGroup={listId}&amount={median}"));
        Assert.Equal(50m, position.GetProperty("percentileRank").GetDecimal());
        var trend = await JsonAsync(await analyst.GetAsync($"/v1/bands/trend?component=base&peerGroup={listId}"));
        AssertBand(Assert.Single(trend.GetProperty("cells").EnumerateArray()), listed);
        Assert.Contains($"n = {listed.Length * 3}", await analyst.GetStringAsync($"/v1/bands/chart.svg?component=base&peerGroup={listId}"));
    }

    [Fact]
    public async Task The_cells_of_a_peer_group_span_employers_so_the_multi_employer_rules_apply()
    {
        await PlantAsync();
        var analyst = await Factory.KeyClientAsync("analyst", "read", "exact");
        var id = (await CreatedAsync(analyst, List("twelve", Enumerable.Range(1, 12)))).GetProperty("id").GetString();

        // Two members left by the employer filter: a multi-employer cell of two employers is suppressed.
        var two = await CellAsync(analyst, $"peerGroup={id}&employer=pg-01,pg-02");
        Assert.True(two.GetProperty("suppressed").GetBoolean());
        Assert.Contains("too_few_employers", two.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        // PostgreSQL computes the same band as the band index (an admin key may use any group).
        await using var sql = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false"));
        AssertBand(await CellAsync(sql.CreateExactClient(), $"peerGroup={id}&excludeEmployer=pg-12"), [.. Enumerable.Range(1, 11)]);
        // Grouped by employer, each member's own band.
        var byEmployer = (await JsonAsync(await analyst.GetAsync($"/v1/bands?component=base&peerGroup={id}&groupBy=employer"))).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(Slug), byEmployer.Select(c => c.GetProperty("group").GetProperty("employer").GetString()));
    }

    [Fact]
    public async Task A_group_of_fewer_than_ten_employers_is_a_409_naming_the_rule()
    {
        await PlantAsync();
        for (var i = 1; i <= 12; i++)
            await SetAsync(Slug(i), new { industry = i <= 9 ? "fintech" : "saas", stage = i <= 3 ? "public" : "private-late" });
        var analyst = await Factory.KeyClientAsync("analyst", "read");

        var nine = await analyst.PostAsJsonAsync("/v1/peer-groups", List("nine", Enumerable.Range(1, 9)));
        await AssertProblemAsync(nine, HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
        Assert.Contains("at least 10 employers", (await JsonAsync(nine)).GetProperty("detail").GetString());
        // A rule is counted on its current members: fintech is nine employers.
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/v1/peer-groups", new { name = "fintech", where = new { industry = new[] { "fintech" } } }),
            HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
        // Attributes combine: fintech or saas (12) and private-late (9 of them).
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/v1/peer-groups", new { name = "late", where = new { industry = new[] { "fintech", "saas" }, stage = new[] { "private-late" } } }),
            HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
        Assert.Empty((await JsonAsync(await analyst.GetAsync("/v1/peer-groups"))).EnumerateArray());

        // Ten is enough, and the minimum is configurable.
        await CreatedAsync(analyst, List("ten", Enumerable.Range(1, 10)));
        await using var strictFactory = Factory.WithWebHostBuilder(b => b.UseSetting("Disclosure:MinPeerGroupEmployers", "12"));
        var eleven = await strictFactory.CreateExactClient().PostAsJsonAsync("/v1/peer-groups", List("eleven", [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 9]));
        await AssertProblemAsync(eleven, HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
        Assert.Contains("at least 12 employers", (await JsonAsync(eleven)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_group_within_three_employers_of_any_existing_group_is_a_409_both_ways_that_names_neither_group()
    {
        await PlantAsync(14);
        for (var i = 1; i <= 14; i++)
            await SetAsync(Slug(i), new { industry = i <= 12 ? "hardware" : "consulting" });
        var first = await Factory.KeyClientAsync("first", "read");
        var second = await Factory.KeyClientAsync("second", "read");
        var existing = await CreatedAsync(first, List("Secret hardware set", Enumerable.Range(1, 12)));

        // Another key's near-superset (one more), near-subset (one less) and swap (one out, one in): refused.
        foreach (var near in new[] { Enumerable.Range(1, 13), Enumerable.Range(1, 11), Enumerable.Range(2, 12) })
        {
            var response = await second.PostAsJsonAsync("/v1/peer-groups", List("mine", near));
            await AssertProblemAsync(response, HttpStatusCode.Conflict, "Peer group too similar.", "Disclosure:MinPeerGroupDifference");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(existing.GetProperty("id").GetString()!, body);
            Assert.DoesNotContain("Secret hardware set", body);
            Assert.DoesNotContain("pg-", body);
        }
        // A rule whose current members are the same twelve: compared on membership, refused.
        await AssertProblemAsync(await second.PostAsJsonAsync("/v1/peer-groups", new { name = "hardware", where = new { industry = new[] { "hardware" } } }),
            HttpStatusCode.Conflict, "Peer group too similar.", "Disclosure:MinPeerGroupDifference");
        // The same key's own duplicate too.
        await AssertProblemAsync(await first.PostAsJsonAsync("/v1/peer-groups", List("again", Enumerable.Range(1, 12))),
            HttpStatusCode.Conflict, "Peer group too similar.", "Disclosure:MinPeerGroupDifference");

        // Three apart passes: pg-01 … pg-10 and pg-13 against pg-01 … pg-12 differ by pg-11, pg-12 and pg-13.
        await CreatedAsync(second, List("three apart", [.. Enumerable.Range(1, 10), 13]));
        // ... and is then checked against in turn: pg-01 … pg-11 is 1 from the first group's side … and 2 from this one: refused.
        await AssertProblemAsync(await second.PostAsJsonAsync("/v1/peer-groups", List("between", Enumerable.Range(1, 11))),
            HttpStatusCode.Conflict, "Peer group too similar.", "Disclosure:MinPeerGroupDifference");

        // Deleting the first group frees its neighbourhood (pg-02 … pg-13 is 3 from pg-01 … pg-10 + pg-13: pg-01 out, pg-11 and pg-12 in).
        Assert.Equal(HttpStatusCode.NoContent, (await first.DeleteAsync($"/v1/peer-groups/{existing.GetProperty("id").GetString()}")).StatusCode);
        await CreatedAsync(second, List("shifted", Enumerable.Range(2, 12)));
    }

    [Fact]
    public async Task Two_similar_groups_posted_at_once_are_not_both_saved()
    {
        await PlantAsync(13);
        var first = await Factory.KeyClientAsync("first", "read");
        var second = await Factory.KeyClientAsync("second", "read");
        for (var round = 0; round < 3; round++)
        {
            // Two keys post groups two employers apart, at the same moment: at most one may pass the difference rule.
            // Later rounds post the same pair again, and both are refused against the group saved in the first.
            var responses = await Task.WhenAll(
                first.PostAsJsonAsync("/v1/peer-groups", List("a", Enumerable.Range(1, 12))),
                second.PostAsJsonAsync("/v1/peer-groups", List("b", Enumerable.Range(2, 12))));
            Assert.Equal(round == 0 ? 1 : 0, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
            Assert.Equal(round == 0 ? 1 : 2, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        }
        Assert.Single((await JsonAsync(await Factory.CreateAdminClient().GetAsync("/v1/peer-groups"))).EnumerateArray());
    }

    [Fact]
    public async Task Only_the_owner_and_admins_see_use_and_delete_a_group()
    {
        await PlantAsync();
        var owner = await Factory.KeyClientAsync("owner", "read", "exact");
        var other = await Factory.KeyClientAsync("other", "read", "exact");
        var admin = Factory.CreateAdminClient();
        var mine = await CreatedAsync(owner, List("mine", Enumerable.Range(1, 10)));
        var id = mine.GetProperty("id").GetString();
        var theirs = await CreatedAsync(other, List("theirs", Enumerable.Range(3, 10)));

        // The owner lists only its own; an admin lists all.
        Assert.Equal([id], (await JsonAsync(await owner.GetAsync("/v1/peer-groups"))).EnumerateArray().Select(g => g.GetProperty("id").GetString()));
        Assert.Equal([id, theirs.GetProperty("id").GetString()],
            (await JsonAsync(await admin.GetAsync("/v1/peer-groups"))).EnumerateArray().Select(g => g.GetProperty("id").GetString()));
        Assert.Equal("mine", (await JsonAsync(await admin.GetAsync($"/v1/peer-groups/{id}"))).GetProperty("name").GetString());

        // Another key: 404 on GET and DELETE, as for a group that does not exist; 400 naming peerGroup on a band.
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/peer-groups/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/peer-groups/{Guid.CreateVersion7()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/peer-groups/{id}")).StatusCode);
        await AssertBadPeerGroupAsync(await other.GetAsync($"/v1/bands?peerGroup={id}"));
        await AssertBadPeerGroupAsync(await other.GetAsync($"/v1/bands?peerGroup={Guid.CreateVersion7()}"));
        await AssertBadPeerGroupAsync(await other.GetAsync("/v1/bands?peerGroup=not-an-id"));
        var compare = await other.PostAsJsonAsync("/v1/bands/compare", new { segments = new[] { new { label = "x", filter = new { peerGroup = id } } } });
        Assert.Equal(HttpStatusCode.BadRequest, compare.StatusCode);
        Assert.Equal(["segments[0].filter.peerGroup"], (await JsonAsync(compare)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        // Anonymous callers own nothing: 401 on the routes, 400 on a band.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().GetAsync("/v1/peer-groups")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().PostAsJsonAsync("/v1/peer-groups", List("anon", Enumerable.Range(1, 12)))).StatusCode);
        await AssertBadPeerGroupAsync(await Factory.CreateClient().GetAsync($"/v1/bands?peerGroup={id}"));
        // A key without read: 403.
        var ingest = await Factory.KeyClientAsync("ingest", "ingest");
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/v1/peer-groups")).StatusCode);

        // An admin uses and deletes any group; then nobody can use it, nor see it.
        AssertBand(await CellAsync(admin, $"peerGroup={id}"), [.. Enumerable.Range(1, 10)]);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/peer-groups/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/v1/peer-groups/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.DeleteAsync($"/v1/peer-groups/{id}")).StatusCode);
        await AssertBadPeerGroupAsync(await owner.GetAsync($"/v1/bands?peerGroup={id}"));
        Assert.Empty((await JsonAsync(await owner.GetAsync("/v1/peer-groups"))).EnumerateArray());
    }

    [Fact]
    public async Task A_cached_answer_or_etag_of_the_owner_never_answers_another_key_nor_a_deleted_group()
    {
        await PlantAsync();
        var owner = await Factory.KeyClientAsync("owner", "read", "exact");
        var other = await Factory.KeyClientAsync("other", "read", "exact");
        var id = (await CreatedAsync(owner, List("mine", Enumerable.Range(1, 10)))).GetProperty("id").GetString();
        var path = $"/v1/bands?component=base&peerGroup={id}";

        // The owner's answer, twice: the second is the cached one (same tag, same bytes).
        var first = await owner.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var cache = Factory.Services.GetRequiredService<Comp.Api.Features.Bands.AnswerCache>();
        var hits = cache.Hits;
        var second = await owner.GetAsync(path);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(hits + 1, cache.Hits);

        // Another key of the same tier: the same URL, with or without the owner's tag, is a 400, not the cached answer nor a 304.
        await AssertBadPeerGroupAsync(await other.GetAsync(path));
        var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var refused = await other.SendAsync(conditional);
        Assert.False(refused.Headers.Contains("ETag"));
        await AssertBadPeerGroupAsync(refused);

        // Deleted: the owner's cached answer and tag are gone with it.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/v1/peer-groups/{id}")).StatusCode);
        await AssertBadPeerGroupAsync(await owner.GetAsync(path));
        var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        await AssertBadPeerGroupAsync(await owner.SendAsync(stale));
    }

    [Fact]
    public async Task In_the_protected_tier_an_employer_set_needs_ten_employers_and_the_exact_tier_is_unaffected()
    {
        await PlantAsync();
        for (var i = 1; i <= 12; i++)
            await SetAsync(Slug(i), new { industry = i <= 9 ? "saas" : "fintech" });
        var anonymous = Factory.CreateClient();
        var exact = Factory.CreateExactClient();
        var reader = await Factory.KeyClientAsync("reader", "read");

        // Refused before anything is read, on every route, whatever the data: a comma list of two, of nine,
        // an exclusion from an attribute cut (saas less pg-01: eight), from a comma list.
        string[] small =
        [
            "employer=pg-01,pg-02",
            "employer=" + string.Join(',', Enumerable.Range(1, 9).Select(Slug)),
            "industry=saas&excludeEmployer=pg-01",
            "employer=" + string.Join(',', Enumerable.Range(1, 10).Select(Slug)) + "&excludeEmployer=pg-10",
        ];
        foreach (var query in small)
        {
            foreach (var client in new[] { anonymous, reader })
            {
                await AssertProblemAsync(await client.GetAsync("/v1/bands?component=base&" + query), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
                await AssertProblemAsync(await client.GetAsync("/v1/bands/trend?component=base&" + query), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
                await AssertProblemAsync(await client.GetAsync("/v1/bands/position?component=base&amount=150000&" + query), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
                await AssertProblemAsync(await client.GetAsync("/v1/bands/chart.svg?component=base&" + query), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
            }
            // The exact tier answers the same cut (figures under the usual rules).
            Assert.Equal(HttpStatusCode.OK, (await exact.GetAsync("/v1/bands?component=base&" + query)).StatusCode);
        }
        var problem = await JsonAsync(await anonymous.GetAsync("/v1/bands?component=base&employer=pg-01,pg-02"));
        Assert.Contains("this one has 2", problem.GetProperty("detail").GetString());
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            segments = new object[] { new { label = "all", filter = new { role = "ml-engineer" } }, new { label = "two", filter = new { employer = "pg-01,pg-02" } } },
        }), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");

        // Ten or more: answered. An exclusion from everyone leaves eleven of the twelve employers.
        foreach (var query in new[]
                 {
                     "employer=" + string.Join(',', Enumerable.Range(1, 10).Select(Slug)),
                     "excludeEmployer=pg-01",
                     "employer=" + string.Join(',', Enumerable.Range(1, 12).Select(Slug)) + "&excludeEmployer=pg-12,pg-11",
                 })
        {
            var response = await anonymous.GetAsync("/v1/bands?component=base&" + query);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("protected", (await JsonAsync(response)).GetProperty("disclosure").GetString());
        }
        // Cells of one employer each are exempt: grouped by employer, or one employer named.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/bands?component=base&employer=pg-01,pg-02&groupBy=employer")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/bands?component=base&employer=pg-01&excludeEmployer=pg-02")).StatusCode);
        // Attribute filters alone are not a set chosen employer by employer: the usual cell rules apply.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/bands?component=base&industry=fintech")).StatusCode);

        // A configured minimum: five.
        await using var lenientFactory = Factory.WithWebHostBuilder(b => b.UseSetting("Disclosure:MinPeerGroupEmployers", "5"));
        var lenient = lenientFactory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await lenient.GetAsync("/v1/bands?component=base&employer=pg-01,pg-02,pg-03,pg-04,pg-05")).StatusCode);
        await AssertProblemAsync(await lenient.GetAsync("/v1/bands?component=base&employer=pg-01,pg-02,pg-03,pg-04"), HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
    }

    [Fact]
    public async Task A_peer_group_narrowed_below_ten_employers_is_a_409_in_the_protected_tier_only()
    {
        await PlantAsync();
        var reader = await Factory.KeyClientAsync("reader", "read");
        var id = (await CreatedAsync(reader, List("eleven", Enumerable.Range(1, 11)))).GetProperty("id").GetString();

        // Eleven, or ten without pg-01: answered (protected).
        Assert.Equal("protected", (await JsonAsync(await reader.GetAsync($"/v1/bands?component=base&peerGroup={id}"))).GetProperty("disclosure").GetString());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/bands?component=base&peerGroup={id}&excludeEmployer=pg-01")).StatusCode);
        // Nine left (two excluded, or narrowed by a list): refused.
        await AssertProblemAsync(await reader.GetAsync($"/v1/bands?component=base&peerGroup={id}&excludeEmployer=pg-01,pg-02"),
            HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");
        await AssertProblemAsync(await reader.GetAsync($"/v1/bands?component=base&peerGroup={id}&employer=" + string.Join(',', Enumerable.Range(3, 10).Select(Slug))),
            HttpStatusCode.Conflict, "Peer group too small.", "Disclosure:MinPeerGroupEmployers");

        // The exact tier (an admin sees every group) gives the nine's exact band.
        AssertBand(await CellAsync(Factory.CreateExactClient(), $"peerGroup={id}&excludeEmployer=pg-01,pg-02"), [.. Enumerable.Range(3, 9)]);
    }

    [Theory]
    [InlineData("""{"employers":["pg-01"]}""", "name")]
    [InlineData("""{"name":"","employers":["pg-01"]}""", "name")]
    [InlineData("""{"name":"x"}""", "employers")]
    [InlineData("""{"name":"x","employers":["pg-01"],"where":{"industry":["saas"]}}""", "where")]
    [InlineData("""{"name":"x","employers":[]}""", "employers")]
    [InlineData("""{"name":"x","employers":["pg-01","nobody"]}""", "employers")]
    [InlineData("""{"name":"x","employers":["pg-01",null]}""", "employers")]
    [InlineData("""{"name":"x","employers":"pg-01"}""", "employers")]
    [InlineData("""{"name":"x","where":{}}""", "where")]
    [InlineData("""{"name":"x","where":{"industry":["mining"]}}""", "where.industry")]
    [InlineData("""{"name":"x","where":{"industry":[]}}""", "where.industry")]
    [InlineData("""{"name":"x","where":{"stage":["series-c"]}}""", "where.stage")]
    [InlineData("""{"name":"x","where":{"headcount":["1000"]}}""", "where.headcount")]
    [InlineData("""{"name":"x","where":{"industry":"saas"}}""", "where.industry")]
    [InlineData("""{"name":"x","where":{"sector":["saas"]}}""", "where.sector")]
    [InlineData("""{"name":"x","members":["pg-01"]}""", "members")]
    public async Task A_bad_group_is_a_400_naming_the_field(string body, string field)
    {
        await PlantAsync(1);
        var response = await (await Factory.KeyClientAsync("analyst", "read")).PostAsync("/v1/peer-groups", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains(field, JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task A_name_longer_than_200_characters_is_a_400()
    {
        await PlantAsync();
        var response = await (await Factory.KeyClientAsync("analyst", "read")).PostAsJsonAsync("/v1/peer-groups", new { name = new string('n', 201), employers = Enumerable.Range(1, 10).Select(Slug) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["name"], (await JsonAsync(response)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
