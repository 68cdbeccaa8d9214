using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Npgsql;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// The ai-jobs.net file (3,755 rows, salaries in their own currencies with a salary_in_usd
/// column) loaded through the API: its USD bands must equal percentile_cont over the file's own
/// salary_in_usd values for the same rows, within 0.5% (salary_in_usd is rounded to whole dollars,
/// so the implied rates carry a little rounding).
/// </summary>
public sealed class AiJobsFileTests(CompApiFactory factory) : ApiTest(factory)
{
    private sealed record AiJobsRow(int Year, string Experience, string Title, decimal Salary, string Currency, decimal SalaryInUsd, string Country);

    private static List<AiJobsRow> ReadFile()
    {
        var lines = SharedData.ReadCsv(SharedData.RealFile("ds_salaries_aijobs_2020_2023.csv")).ToList();
        var header = lines[0].Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        return lines.Skip(1).Select(f => new AiJobsRow(
            int.Parse(f[header["work_year"]], CultureInfo.InvariantCulture),
            f[header["experience_level"]],
            f[header["job_title"]],
            decimal.Parse(f[header["salary"]], CultureInfo.InvariantCulture),
            f[header["salary_currency"]],
            decimal.Parse(f[header["salary_in_usd"]], CultureInfo.InvariantCulture),
            f[header["company_location"]].ToLowerInvariant())).ToList();
    }

    private static string Role(string title) => title switch
    {
        _ when title.Contains("Research") => "research-scientist",
        _ when title.Contains("Machine Learning") || title.Contains("ML ") || title.StartsWith("ML") || title.Contains("AI ") => "ml-engineer",
        _ when title.Contains("Manager") || title.Contains("Head") || title.Contains("Director") || title.Contains("Lead") => "engineering-manager",
        _ when title.Contains("Scien") => "data-scientist",
        _ when title.Contains("Analy") => "data-analyst",
        _ => "data-engineer",
    };

    private static string Level(string experience) => experience switch
    {
        "EN" => "L2",
        "MI" => "L3",
        "SE" => "L4",
        _ => "L6", // EX: executive
    };

    [Fact]
    public async Task The_files_rows_in_their_own_currencies_give_the_files_USD_percentiles()
    {
        var rows = ReadFile();
        Assert.Equal(3_755, rows.Count);
        var admin = Factory.CreateAdminClient();

        // The FX rates the file implies: salary_in_usd / salary, one per (currency, year), taken
        // from the largest salary of each pair (the least affected by whole-dollar rounding).
        var rates = rows.Where(r => r.Currency != "USD").GroupBy(r => (r.Currency, r.Year))
            .Select(g => g.MaxBy(r => r.Salary)!)
            .Select(r => new { currency = r.Currency, date = $"{r.Year}-01-01", usdPerUnit = Math.Round(r.SalaryInUsd / r.Salary, 10), source = $"ai-jobs.net salary_in_usd / salary, {r.Year}" })
            .ToArray();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/fx-rates", rates)).StatusCode);

        // Every row through the API, four at a time.
        var bodies = rows.Select(r => Infrastructure.Datapoints.Valid(employer: "ai-jobs-net", role: Role(r.Title), region: r.Country,
                baseSalary: r.Salary, currency: r.Currency, effectiveDate: $"{r.Year}-07-01")
            .With("level", Level(r.Experience)).With("source", "aggregator").With("sourceNote", "ai-jobs.net salaries (CC0)")).ToList();
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(bodies.Select(async body =>
        {
            await gate.WaitAsync();
            try { await admin.PostOkAsync(body); }
            finally { gate.Release(); }
        }));
        Assert.Equal(3_755L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));

        await using var connection = await Factory.OpenAsync();
        async Task Compare(string query, Func<AiJobsRow, bool> rowsOfCut)
        {
            var cut = rows.Where(rowsOfCut).Select(r => (double)r.SalaryInUsd).ToArray();
            var fractions = new[] { 0.1, 0.25, 0.5, 0.75, 0.9 };
            await using var command = new NpgsqlCommand("SELECT percentile_cont(@f) WITHIN GROUP (ORDER BY v) FROM unnest(@v) v", connection);
            command.Parameters.AddWithValue("f", fractions);
            command.Parameters.AddWithValue("v", cut);
            var expected = (double[])(await command.ExecuteScalarAsync())!;

            var band = await JsonAsync(await Factory.CreateExactClient().GetAsync($"/v1/bands?employer=ai-jobs-net&component=base&currency=USD&{query}"));
            var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
            Assert.Equal(cut.Length, cell.GetProperty("n").GetInt32());
            Assert.Empty(band.GetProperty("conversion").GetProperty("leftOut").EnumerateArray());
            var keys = new[] { "p10", "p25", "p50", "p75", "p90" };
            for (var i = 0; i < keys.Length; i++)
            {
                var actual = (double)cell.GetProperty("percentiles").GetProperty(keys[i]).GetDecimal();
                Assert.True(Math.Abs(actual - expected[i]) <= 0.005 * expected[i],
                    $"{query} {keys[i]}: API {actual}, percentile_cont over salary_in_usd {expected[i]}");
            }
        }

        await Compare("", _ => true);
        await Compare("region=gb", r => r.Country == "gb");
        await Compare("region=de", r => r.Country == "de");
        await Compare("region=in", r => r.Country == "in");
        await Compare("level=L4", r => r.Experience == "SE");
        await Compare("from=2021-01-01&to=2021-12-31", r => r.Year == 2021);
        await Compare("role=data-scientist", r => Role(r.Title) == "data-scientist");
    }
}
