using System.Net.Http.Json;
using System.Text.Json;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>Datapoint request bodies for tests: a valid one, changed field by field.</summary>
public static class Datapoints
{
    public static Dictionary<string, object?> Valid(
        string employer = "acme",
        string role = "ml-engineer",
        string region = "us-ca-sf-bay-area",
        decimal baseSalary = 150_000m,
        string currency = "USD",
        string effectiveDate = "2024-03-01") => new()
        {
            ["employer"] = employer,
            ["role"] = role,
            ["level"] = "L4",
            ["region"] = region,
            ["currency"] = currency,
            ["effectiveDate"] = effectiveDate,
            ["baseSalary"] = baseSalary,
            ["source"] = "self_reported",
        };

    public static Dictionary<string, object?> With(this Dictionary<string, object?> body, string field, object? value)
    {
        body[field] = value;
        return body;
    }

    public static Dictionary<string, object?> Without(this Dictionary<string, object?> body, string field)
    {
        body.Remove(field);
        return body;
    }

    /// <summary>Posts a datapoint and insists it was stored.</summary>
    public static async Task<JsonElement> PostOkAsync(this HttpClient client, Dictionary<string, object?> body)
    {
        var response = await client.PostAsJsonAsync("/v1/datapoints", body);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
            throw new Xunit.Sdk.XunitException($"POST /v1/datapoints answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
