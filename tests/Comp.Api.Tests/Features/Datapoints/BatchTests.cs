using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Datapoints;

public sealed class BatchTests(CompApiFactory factory) : ApiTest(factory)
{
    private static List<Dictionary<string, object?>> Rows(int count) =>
        Enumerable.Range(0, count).Select(i => Infrastructure.Datapoints.Valid(employer: $"employer-{i % 50}", baseSalary: 100_000 + i)).ToList();

    private HttpRequestMessage Batch(object rows, string? key = null, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch" + query) { Content = JsonContent.Create(rows) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return request;
    }

    private Task<long> CountAsync() => Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints");

    [Fact]
    public async Task A_50000_row_batch_lands_in_one_request_and_is_counted_exactly()
    {
        var response = await Factory.CreateAdminClient().SendAsync(Batch(Rows(50_000)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(50_000, body.GetProperty("accepted").GetInt32());
        Assert.Empty(body.GetProperty("rejected").EnumerateArray());
        Assert.Equal(50_000L, await CountAsync());
        Assert.Equal(50L, await Factory.ScalarAsync<long>("SELECT count(*) FROM employers"));
        var batchId = body.GetProperty("batchId").GetGuid();
        Assert.Equal(50_000L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM datapoints WHERE batch_id = '{batchId}'"));
        // Stored exactly as sent: the salaries 100,000 … 149,999 sum to 50,000 × 124,999.5.
        Assert.Equal(6_249_975_000m, await Factory.ScalarAsync<decimal>("SELECT sum(base_salary) FROM datapoints"));
    }

    [Fact]
    public async Task The_same_batch_sent_three_times_at_once_with_one_key_is_stored_once()
    {
        var client = Factory.CreateAdminClient();
        var rows = Rows(2_000);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.SendAsync(Batch(rows, key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var batchIds = await Task.WhenAll(responses.Select(async r => (await JsonAsync(r)).GetProperty("batchId").GetGuid()));
        Assert.Single(batchIds.Distinct());
        Assert.Equal(2, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(2_000L, await CountAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_409_and_stores_nothing()
    {
        var client = Factory.CreateAdminClient();
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Batch(Rows(10), key))).StatusCode);

        var conflict = await client.SendAsync(Batch(Rows(11), key));

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType!.MediaType);
        Assert.Equal(10L, await CountAsync());
    }

    [Fact]
    public async Task A_batch_with_one_bad_row_stores_nothing_and_names_the_line()
    {
        var rows = Rows(100);
        rows[41]["role"] = "astronaut";
        rows[76].Remove("baseSalary");

        var response = await Factory.CreateAdminClient().SendAsync(Batch(rows));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var rejected = (await JsonAsync(response)).GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([42, 77], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.True(rejected[0].GetProperty("errors").TryGetProperty("role", out _));
        Assert.True(rejected[1].GetProperty("errors").TryGetProperty("baseSalary", out _));
        Assert.Equal(0L, await CountAsync());
    }

    [Fact]
    public async Task With_allowPartial_the_good_rows_land_and_the_bad_are_listed()
    {
        var rows = Rows(100);
        rows[41]["role"] = "astronaut";
        rows[76]["salary"] = 5;

        var response = await Factory.CreateAdminClient().SendAsync(Batch(rows, query: "?allowPartial=true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(98, body.GetProperty("accepted").GetInt32());
        Assert.Equal([42, 77], body.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(98L, await CountAsync());
    }

    [Fact]
    public async Task Ndjson_is_read_line_by_line_and_lines_are_counted_from_one()
    {
        var lines = Rows(3).Select(r => JsonSerializer.Serialize(r)).ToList();
        var ndjson = string.Join("\n", lines[0], "", lines[1], "{not json", lines[2]) + "\n";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch?allowPartial=true")
        {
            Content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("Idempotency-Key", "ndjson-1");

        var response = await Factory.CreateAdminClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(4, Assert.Single(body.GetProperty("rejected").EnumerateArray()).GetProperty("line").GetInt32());
    }

    [Theory]
    [InlineData(null, "Idempotency-Key")]
    [InlineData("", "Idempotency-Key")]
    public async Task A_batch_without_an_idempotency_key_is_a_400_naming_the_header(string? key, string field)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch") { Content = JsonContent.Create(Rows(2)) };
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await Factory.CreateAdminClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0L, await CountAsync());
    }

    [Theory]
    [InlineData("{\"employer\": \"a\"}", "application/json")]
    [InlineData("[{\"employer\": ", "application/json")]
    [InlineData("[]", "application/json")]
    public async Task A_body_that_is_not_an_array_of_rows_is_a_400(string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await Factory.CreateAdminClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task More_than_50000_rows_is_a_400()
    {
        var response = await Factory.CreateAdminClient().SendAsync(Batch(Rows(50_001)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0L, await CountAsync());
    }

    [Fact]
    public async Task A_single_post_with_an_idempotency_key_is_stored_once()
    {
        var client = Factory.CreateAdminClient();
        HttpRequestMessage Post() => new(HttpMethod.Post, "/v1/datapoints")
        {
            Content = JsonContent.Create(Infrastructure.Datapoints.Valid()),
            Headers = { { "Idempotency-Key", "single-1" } },
        };

        var first = await client.SendAsync(Post());
        var second = await client.SendAsync(Post());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1L, await CountAsync());
    }
}
