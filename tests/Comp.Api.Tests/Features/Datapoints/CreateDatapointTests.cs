using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Datapoints;

public sealed class CreateDatapointTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task A_valid_datapoint_is_stored_exactly_as_given_and_read_back()
    {
        var client = Factory.CreateAdminClient();
        var body = Infrastructure.Datapoints.Valid(employer: "google-deepmind", role: "research-scientist", baseSalary: 312_345.67m)
            .With("employerName", "Google DeepMind")
            .With("employerLevel", "L6")
            .With("targetBonus", 46_851.85m)
            .With("signOnBonus", 100_000)
            .With("equityGrant", 4_000_000)
            .With("equityVestingYears", 4)
            .With("retentionGrant", 2_400_000)
            .With("retentionVestingYears", 3)
            .With("yearsOfExperience", 7.5m)
            .With("source", "press_report")
            .With("sourceNote", "The Information")
            .With("verified", true);

        var response = await client.PostAsJsonAsync("/v1/datapoints", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await JsonAsync(response);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/datapoints/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("google-deepmind", created.GetProperty("employer").GetString());
        Assert.Equal("Google DeepMind", created.GetProperty("employerName").GetString());
        Assert.Equal(312_345.67m, created.GetProperty("baseSalary").GetDecimal());
        Assert.Equal(46_851.85m, created.GetProperty("targetBonus").GetDecimal());
        Assert.Equal(3, created.GetProperty("retentionVestingYears").GetInt32());
        Assert.Equal("2024-03-01", created.GetProperty("effectiveDate").GetString());
        Assert.True(created.GetProperty("verified").GetBoolean());

        var read = await JsonAsync(await client.GetAsync($"/v1/datapoints/{id}"));
        Assert.Equal(created.ToString(), read.ToString());
        Assert.Equal(312_345.67m, await Factory.ScalarAsync<decimal>($"SELECT base_salary FROM datapoints WHERE id = '{id}'"));
    }

    [Fact]
    public async Task Vesting_years_default_to_four_and_verified_to_false()
    {
        var created = await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid().With("equityGrant", 100_000));
        Assert.Equal(4, created.GetProperty("equityVestingYears").GetInt32());
        Assert.Equal(4, created.GetProperty("retentionVestingYears").GetInt32());
        Assert.False(created.GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("retentionGrant").ValueKind);
    }

    [Fact]
    public async Task The_first_employer_name_seen_is_kept()
    {
        var client = Factory.CreateAdminClient();
        await client.PostOkAsync(Infrastructure.Datapoints.Valid(employer: "meta").With("employerName", "Meta"));
        var second = await client.PostOkAsync(Infrastructure.Datapoints.Valid(employer: "meta").With("employerName", "Facebook"));
        Assert.Equal("Meta", second.GetProperty("employerName").GetString());
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM employers WHERE slug = 'meta'"));
    }

    [Fact]
    public async Task Writing_needs_a_key_and_a_bad_key_is_refused_everywhere()
    {
        var anonymous = Factory.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);

        var wrong = Factory.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "comp_not-a-real-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/bands")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/roles")).StatusCode);
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
    }

    [Fact]
    public async Task An_unknown_datapoint_id_is_a_404_problem()
    {
        var response = await Factory.CreateAdminClient().GetAsync($"/v1/datapoints/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    public static TheoryData<string> RequiredFields => new() { "employer", "role", "region", "currency", "effectiveDate", "baseSalary", "source" };

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public async Task A_missing_required_field_is_a_400_naming_it(string field) =>
        await AssertRejected(Infrastructure.Datapoints.Valid().Without(field), field);

    [Theory]
    [InlineData("baseSalary", "a lot")]
    [InlineData("effectiveDate", 20240301)]
    [InlineData("effectiveDate", "01/03/2024")]
    [InlineData("verified", "yes")]
    [InlineData("equityVestingYears", 2.5)]
    [InlineData("role", 7)]
    [InlineData("employer", true)]
    [InlineData("targetBonus", "10%")]
    public async Task A_field_of_the_wrong_type_is_a_400_naming_it(string field, object value) =>
        await AssertRejected(Infrastructure.Datapoints.Valid().With(field, value), field);

    [Theory]
    [InlineData("baseSalary")]
    [InlineData("targetBonus")]
    [InlineData("signOnBonus")]
    [InlineData("equityGrant")]
    [InlineData("retentionGrant")]
    public async Task A_negative_amount_is_a_400_naming_it(string field) =>
        await AssertRejected(Infrastructure.Datapoints.Valid().With(field, -1), field);

    [Theory]
    [InlineData("role", "astronaut", "GET /v1/roles")]
    [InlineData("region", "us-zz", "GET /v1/regions")]
    [InlineData("currency", "XYZ", "ISO 4217")]
    [InlineData("currency", "usd", "ISO 4217")]
    [InlineData("level", "L10", "GET /v1/levels")]
    [InlineData("source", "rumour", "self_reported")]
    [InlineData("employer", "Google DeepMind", "slug")]
    public async Task An_unknown_vocabulary_value_is_a_400_that_says_where_the_valid_ones_are(string field, string value, string hint)
    {
        var problem = await AssertRejected(Infrastructure.Datapoints.Valid().With(field, value), field);
        Assert.Contains(hint, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Theory]
    [InlineData("baseSalary", 100_000_000.01)]
    [InlineData("baseSalary", 0)]
    [InlineData("targetBonus", 250_000_000)]
    [InlineData("equityGrant", 5_000_000_000)]
    [InlineData("baseSalary", 1e30)]
    [InlineData("baseSalary", 123.456)]
    [InlineData("equityVestingYears", 0)]
    [InlineData("equityVestingYears", 11)]
    [InlineData("retentionVestingYears", 0)]
    [InlineData("retentionVestingYears", 11)]
    [InlineData("yearsOfExperience", -1)]
    [InlineData("yearsOfExperience", 71)]
    [InlineData("effectiveDate", "1969-12-31")]
    public async Task An_absurd_value_is_a_400_naming_the_field(string field, object value) =>
        await AssertRejected(Infrastructure.Datapoints.Valid().With(field, value), field);

    [Fact]
    public async Task A_date_in_the_future_is_a_400()
    {
        var tomorrow = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1).ToString("yyyy-MM-dd");
        var problem = await AssertRejected(Infrastructure.Datapoints.Valid().With("effectiveDate", tomorrow), "effectiveDate");
        Assert.Equal("Must not be in the future.", problem.GetProperty("errors").GetProperty("effectiveDate")[0].GetString());
    }

    [Fact]
    public async Task Unknown_fields_are_a_400_naming_each_of_them()
    {
        var problem = await AssertRejected(Infrastructure.Datapoints.Valid().With("salary", 1).With("bonus", 2), "salary");
        Assert.True(problem.GetProperty("errors").TryGetProperty("bonus", out _));
    }

    [Theory]
    [InlineData("{\"employer\": \"acme\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    [InlineData("null")]
    public async Task A_body_that_is_not_a_json_object_is_a_400_problem(string json)
    {
        var response = await Factory.CreateAdminClient().PostAsync("/v1/datapoints", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var response = await Factory.CreateAdminClient().PostAsync("/v1/datapoints", new StringContent("employer=acme", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private async Task<JsonElement> AssertRejected(Dictionary<string, object?> body, string field)
    {
        var client = Factory.CreateAdminClient();
        await client.PostOkAsync(Infrastructure.Datapoints.Valid(employer: "already-stored"));

        var response = await client.PostAsJsonAsync("/v1/datapoints", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for '{field}' in {text}");
        // Nothing already stored is lost, nothing new is stored.
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
        return problem;
    }
}
