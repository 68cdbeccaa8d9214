using System.Globalization;
using Comp.Api.Data;
using Comp.Api.Data.Seed;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Comp.Api.Tests.Data;

/// <summary>
/// The reference data comes from Data/Seed/*.csv through EF Core's seeding, which runs after every
/// migration: the fixture's start-up did it, and <see cref="MigrateAsync"/> does it again the way
/// start-up and the <c>migrate</c> command do.
/// </summary>
public sealed class SeedTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task MigrateAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        await DatabaseInitializer.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>A row as text, so rows read back compare with rows from the CSVs (numbers without trailing zeros).</summary>
    private static string Row(params object?[] values) => string.Join('|', values.Select(v => v switch
    {
        null or DBNull => "",
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    }));

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = await Factory.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(Row([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetValue)]));
        return rows;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await Factory.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static List<string> Ordered(IEnumerable<string> rows) => [.. rows.Order(StringComparer.Ordinal)];

    private Task<string> DatasetVersionAsync() =>
        Factory.ScalarAsync<string>("SELECT last_value::text || '/' || is_called::text FROM dataset_version");

    [Fact]
    public async Task The_migrated_database_holds_exactly_the_rows_of_the_seed_csvs()
    {
        Assert.All(new object[][] { TaxonomySeed.Roles, TaxonomySeed.Levels, TaxonomySeed.Regions, TaxonomySeed.FxRates }, Assert.NotEmpty);
        Assert.Equal(
            Ordered(TaxonomySeed.Roles.Select(r => Row(r.Slug, r.Title, r.Family))),
            Ordered(await RowsAsync("SELECT slug, title, family FROM roles")));
        Assert.Equal(
            Ordered(TaxonomySeed.Levels.Select(l => Row(l.Code, l.Rank, l.Title))),
            Ordered(await RowsAsync("SELECT code, rank, title FROM levels")));
        Assert.Equal(
            Ordered(TaxonomySeed.Regions.Select(r => Row(r.Code, r.Name, r.ParentCode, r.Kind, r.Currency))),
            Ordered(await RowsAsync("SELECT code, name, parent_code, kind, currency FROM regions")));
        // usd_per_unit is numeric(20,10): a CSV rate with more decimals is stored rounded.
        Assert.Equal(
            Ordered(TaxonomySeed.FxRates.Select(r => Row(r.Currency, r.Date, Math.Round(r.UsdPerUnit, 10, MidpointRounding.AwayFromZero), r.Source))),
            Ordered(await RowsAsync("SELECT currency, date, usd_per_unit, source FROM fx_rates")));
    }

    [Fact]
    public async Task Seeding_again_with_nothing_missing_sends_no_statement()
    {
        var before = await DatasetVersionAsync();

        await MigrateAsync();

        // The FX table's statement trigger would have moved the dataset version.
        Assert.Equal(before, await DatasetVersionAsync());
    }

    [Fact]
    public async Task Seeding_adds_the_missing_rows_and_leaves_the_others_as_they_are()
    {
        var fx = TaxonomySeed.FxRates[0];
        var leaf = TaxonomySeed.Regions.First(r => r.Kind == "metro");
        var edited = TaxonomySeed.Regions.First(r => r.Code == "fr");
        try
        {
            await ExecuteAsync($"""
                DELETE FROM fx_rates WHERE currency = '{fx.Currency}' AND date = '{fx.Date:yyyy-MM-dd}';
                DELETE FROM regions WHERE code = '{leaf.Code}';
                DELETE FROM roles WHERE slug = 'designer';
                DELETE FROM levels WHERE code = 'L9';
                UPDATE regions SET name = 'République française' WHERE code = 'fr';
                UPDATE fx_rates SET usd_per_unit = 1.5, source = 'an administrator' WHERE currency = 'EUR' AND date = '2023-01-01';
                INSERT INTO roles (slug, title, family) VALUES ('prompt-engineer', 'Prompt Engineer', 'engineering');
                """);

            await MigrateAsync();

            Assert.Equal([Row(Math.Round(fx.UsdPerUnit, 10, MidpointRounding.AwayFromZero), fx.Source)],
                await RowsAsync($"SELECT usd_per_unit, source FROM fx_rates WHERE currency = '{fx.Currency}' AND date = '{fx.Date:yyyy-MM-dd}'"));
            Assert.Equal([Row(leaf.Name, leaf.ParentCode, leaf.Kind, leaf.Currency)],
                await RowsAsync($"SELECT name, parent_code, kind, currency FROM regions WHERE code = '{leaf.Code}'"));
            Assert.Equal(["Product Designer|design"], await RowsAsync("SELECT title, family FROM roles WHERE slug = 'designer'"));
            Assert.Equal(["9|Fellow"], await RowsAsync("SELECT rank, title FROM levels WHERE code = 'L9'"));
            // Never changed, never deleted.
            Assert.Equal(["République française"], await RowsAsync("SELECT name FROM regions WHERE code = 'fr'"));
            Assert.Equal(["1.5|an administrator"], await RowsAsync("SELECT usd_per_unit, source FROM fx_rates WHERE currency = 'EUR' AND date = '2023-01-01'"));
            Assert.Equal(["Prompt Engineer"], await RowsAsync("SELECT title FROM roles WHERE slug = 'prompt-engineer'"));
        }
        finally
        {
            // The fixture's reset puts the FX table back and removes roles outside the seed, not an edited name.
            await ExecuteAsync($"UPDATE regions SET name = '{edited.Name.Replace("'", "''")}' WHERE code = 'fr'");
        }
    }
}
