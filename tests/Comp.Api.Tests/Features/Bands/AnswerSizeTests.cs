using System.Net;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>One answer holds at most <c>Bands:MaxCells</c> cells; beyond that, a 400 naming groupBy and the limit, in both tiers.</summary>
public sealed class AnswerSizeTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task An_answer_of_more_cells_than_the_limit_is_a_400_naming_groupBy_and_the_limit_in_both_tiers()
    {
        await using var app = Factory.WithWebHostBuilder(b => b.UseSetting("Bands:MaxCells", "3"));
        await Factory.InsertAsync(new[] { "size-a", "size-b", "size-c", "size-d" }
            .SelectMany(e => Enumerable.Range(0, 5).Select(i => new SeedRow(e, "ml-engineer", "L4", "us-ca", "USD", new DateOnly(2024, 3, 1), 100_000m + 1_000m * i)))
            .ToList());

        foreach (var (client, exact) in new[] { (app.CreateExactClient(), true), (app.CreateClient(), false) })
        {
            foreach (var path in new[] { "/v1/bands?role=ml-engineer&groupBy=employer", "/v1/bands/trend?role=ml-engineer&groupBy=employer" })
            {
                var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
                var message = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("groupBy").EnumerateArray()).GetString();
                Assert.Equal("The answer would have more than 3 cells (Bands:MaxCells). Group by fewer keys, or narrow the cut with filters " +
                    "(employer, role, level, region, from, to).", message);
            }
            // Three cells are within the limit (the protected tier leaves out a group whose noisy figures do not pass).
            var narrowed = await client.GetAsync("/v1/bands?role=ml-engineer&employer=size-a,size-b,size-c&groupBy=employer&component=base");
            Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
            var cells = JsonDocument.Parse(await narrowed.Content.ReadAsStringAsync()).RootElement.GetProperty("cells").GetArrayLength();
            if (exact)
                Assert.Equal(3, cells);
            else
                Assert.InRange(cells, 0, 3);
        }
    }
}
