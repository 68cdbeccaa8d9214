using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comp.Api.Auth;
using Comp.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// Utility through the API: 20 planted log-normal cells (median 150k USD) per size and spread,
/// each one employer's, answered by both tiers; the median relative error of the protected
/// p10–p90 against the exact ones, by n. The table is written to the test output (docs/privacy.md
/// shows one run's) and the bars are asserted: the protected p50 within 2% at n = 100 and
/// within 0.5% at n = 1,000, for σ = 0.3.
/// </summary>
public sealed class ProtectedUtilityTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private static readonly int[] Ps = [10, 25, 50, 75, 90];

    [Fact]
    public async Task Protected_percentiles_are_close_to_exact_ones_and_closer_as_cells_grow()
    {
        var ingest = await Factory.IngestClientAsync("utility");

        var random = new Random(150_000);
        var cells = new List<(double Sigma, int N, string Employer)>();
        foreach (var sigma in new[] { 0.3, 0.6 })
        {
            foreach (var n in new[] { 20, 100, 1000 })
            {
                var rows = new List<Dictionary<string, object?>>();
                for (var c = 0; c < 20; c++)
                {
                    var employer = $"utility-{sigma * 10:0}-{n}-{c:00}";
                    cells.Add((sigma, n, employer));
                    for (var i = 0; i < n; i++)
                    {
                        var u = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                        var value = Math.Round((decimal)(150_000 * Math.Exp(sigma * u)), 2);
                        rows.Add(Infrastructure.Datapoints.Valid(employer, "ml-engineer", "us-ca", value, "USD",
                            new DateOnly(2024, 1, 1).AddDays(i % 90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
                    }
                }
                await ingest.PlantAsync(rows);
            }
        }

        var errors = new Dictionary<(double Sigma, int N, int P), List<double>>();
        foreach (var (sigma, n, employer) in cells)
        {
            var path = $"/v1/bands?employer={employer}&component=base&percentiles=10,25,50,75,90";
            var exact = Percentiles(await CellAsync(Factory.CreateExactClient(), path));
            var noisy = Percentiles(await CellAsync(Factory.CreateClient(), path));
            foreach (var p in Ps)
            {
                var list = errors.TryGetValue((sigma, n, p), out var l) ? l : errors[(sigma, n, p)] = [];
                // A percentile the protected tier does not publish counts as wholly wrong.
                list.Add(noisy.TryGetValue(p, out var v) && exact.TryGetValue(p, out var e) ? Math.Abs(v - e) / e : 1.0);
            }
        }

        double Median(double sigma, int n, int p) => errors[(sigma, n, p)].Order().ElementAt(10 - 1) / 2 + errors[(sigma, n, p)].Order().ElementAt(10) / 2;
        var table = new StringBuilder("| σ of ln | n | p10 | p25 | p50 | p75 | p90 |\n|---|---|---|---|---|---|---|\n");
        foreach (var sigma in new[] { 0.3, 0.6 })
            foreach (var n in new[] { 20, 100, 1000 })
                table.Append(CultureInfo.InvariantCulture, $"| {sigma} | {n} | ").Append(string.Join(" | ", Ps.Select(p => Median(sigma, n, p).ToString("P2", CultureInfo.InvariantCulture)))).Append(" |\n");
        output.WriteLine(table.ToString());

        Assert.True(Median(0.3, 100, 50) <= 0.02, $"p50 at n = 100: median error {Median(0.3, 100, 50):P2}; Privacy:Key {CompApiFactory.PrivacyKey}\n{table}");
        Assert.True(Median(0.3, 1000, 50) <= 0.005, $"p50 at n = 1,000: median error {Median(0.3, 1000, 50):P2}; Privacy:Key {CompApiFactory.PrivacyKey}\n{table}");
        // Closer as cells grow, for every percentile and both spreads.
        foreach (var sigma in new[] { 0.3, 0.6 })
            foreach (var p in Ps)
                Assert.True(Median(sigma, 20, p) > Median(sigma, 1000, p), $"σ {sigma} p{p}: n = 20 no worse than n = 1,000\n{table}");
    }

    private async Task<JsonElement> CellAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("cells").EnumerateArray());
    }

    private static Dictionary<int, double> Percentiles(JsonElement cell) =>
        cell.GetProperty("suppressed").GetBoolean()
            ? []
            : cell.GetProperty("percentiles").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)
                .ToDictionary(p => int.Parse(p.Name[1..], CultureInfo.InvariantCulture), p => p.Value.GetDouble());
}
