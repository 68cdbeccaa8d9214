using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Comp.Api.Data.Seed;

/// <summary>
/// The reference data every database starts with: roles, levels, regions and the FX table, each
/// from its CSV beside this file (embedded in the assembly). <see cref="UseCompSeeding"/> hands
/// them to EF Core's seeding, which runs after every <c>Migrate</c> — at start-up
/// (<c>Database:MigrateOnStartup</c>), in <c>dotnet Comp.Api.dll migrate</c> and
/// <c>dotnet ef database update</c> — inside the migration's transaction and lock.
/// </summary>
/// <remarks>
/// Seeding only adds the rows a database lacks (by primary key): it never deletes a row nor
/// changes one, so what administrators added or edited stays. A row taken out of a CSV stays in
/// the databases that have it, and a value changed in a CSV reaches only databases without the
/// row; changing existing rows takes a migration (or the admin routes). When nothing is missing,
/// no statement is sent, so the dataset version does not move.
/// </remarks>
public static class TaxonomySeed
{
    private static Role[]? roles;
    private static Level[]? levels;
    private static Region[]? regions;
    private static FxRate[]? fxRates;

    /// <summary>The job families' roles (<c>roles.csv</c>).</summary>
    public static Role[] Roles => roles ??= LoadRoles();

    /// <summary>The common ladder L1 … L9 (<c>levels.csv</c>).</summary>
    public static Level[] Levels => levels ??= LoadLevels();

    /// <summary>Countries, subdivisions and metros (<c>regions.csv</c>).</summary>
    public static Region[] Regions => regions ??= LoadRegions();

    /// <summary>
    /// The seeded FX table (<c>fx_rates.csv</c>), USD per unit, each rate with its source:
    /// the rates implied by the ai-jobs.net file (salary_in_usd / salary per currency and year,
    /// 2020–2023), Federal Reserve G.5A annual averages for 2019 and G.5 monthly averages for
    /// April–June 2024.
    /// </summary>
    public static FxRate[] FxRates => fxRates ??= LoadFxRates();

    /// <summary>Seeds the reference data after every migration, synchronously and asynchronously alike.</summary>
    public static TBuilder UseCompSeeding<TBuilder>(this TBuilder options) where TBuilder : DbContextOptionsBuilder
    {
        // EF Core seeds after every Migrate, also one to an older migration (down to 0 included):
        // the CSVs fit the latest schema only, so a database short of it is left alone.
        options.UseSeeding((context, _) =>
        {
            var db = (CompDbContext)context;
            if (db.Database.GetPendingMigrations().Any())
                return;
            var missing = Missing(
                db.Roles.Select(r => r.Slug),
                db.Levels.Select(l => l.Code),
                db.Regions.Select(r => r.Code),
                db.FxRates.Select(r => new { r.Currency, r.Date }).AsEnumerable().Select(r => (r.Currency, r.Date)));
            if (missing.Count == 0)
                return;
            db.AddRange(missing.Rows);
            db.SaveChanges();
            Log(db, missing);
        });
        options.UseAsyncSeeding(async (context, _, cancellationToken) =>
        {
            var db = (CompDbContext)context;
            if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
                return;
            var missing = Missing(
                await db.Roles.Select(r => r.Slug).ToListAsync(cancellationToken),
                await db.Levels.Select(l => l.Code).ToListAsync(cancellationToken),
                await db.Regions.Select(r => r.Code).ToListAsync(cancellationToken),
                (await db.FxRates.Select(r => new { r.Currency, r.Date }).ToListAsync(cancellationToken)).Select(r => (r.Currency, r.Date)));
            if (missing.Count == 0)
                return;
            db.AddRange(missing.Rows);
            await db.SaveChangesAsync(cancellationToken);
            Log(db, missing);
        });
        return options;
    }

    /// <summary>The seed rows whose keys are not among the given ones: fresh instances, never the shared arrays above.</summary>
    internal static MissingRows Missing(
        IEnumerable<string> roleSlugs, IEnumerable<string> levelCodes, IEnumerable<string> regionCodes,
        IEnumerable<(string Currency, DateOnly Date)> fxKeys)
    {
        var haveRoles = roleSlugs.ToHashSet(StringComparer.Ordinal);
        var haveLevels = levelCodes.ToHashSet(StringComparer.Ordinal);
        var haveRegions = regionCodes.ToHashSet(StringComparer.Ordinal);
        var haveFx = fxKeys.ToHashSet();
        return new MissingRows(
            [.. LoadRoles().Where(r => !haveRoles.Contains(r.Slug))],
            [.. LoadLevels().Where(l => !haveLevels.Contains(l.Code))],
            // A region and its missing parent go in together: EF orders the inserts by the foreign key.
            [.. LoadRegions().Where(r => !haveRegions.Contains(r.Code))],
            [.. LoadFxRates().Where(r => !haveFx.Contains((r.Currency, r.Date)))]);
    }

    internal sealed record MissingRows(Role[] Roles, Level[] Levels, Region[] Regions, FxRate[] FxRates)
    {
        public int Count => Roles.Length + Levels.Length + Regions.Length + FxRates.Length;

        public IEnumerable<object> Rows => [.. Roles, .. Levels, .. Regions, .. FxRates];
    }

    private static void Log(DbContext db, MissingRows missing) =>
        db.GetService<ILoggerFactory>().CreateLogger(typeof(TaxonomySeed)).LogInformation(
            "Seed data added: {Roles} roles, {Levels} levels, {Regions} regions, {FxRates} FX rates",
            missing.Roles.Length, missing.Levels.Length, missing.Regions.Length, missing.FxRates.Length);

    private static Role[] LoadRoles() => ReadCsv("roles.csv", "slug,title,family", f => new Role
    {
        Slug = f[0],
        Title = f[1],
        Family = f[2],
    });

    private static Level[] LoadLevels() => ReadCsv("levels.csv", "code,rank,title", f => new Level
    {
        Code = f[0],
        Rank = int.Parse(f[1], CultureInfo.InvariantCulture),
        Title = f[2],
    });

    private static Region[] LoadRegions() => ReadCsv("regions.csv", "code,name,parent,currency,kind", f => new Region
    {
        Code = f[0],
        Name = f[1],
        ParentCode = f[2].Length == 0 ? null : f[2],
        Currency = f[3],
        Kind = f[4],
    });

    private static FxRate[] LoadFxRates() => ReadCsv("fx_rates.csv", "currency,date,usd_per_unit,source", f => new FxRate
    {
        Currency = f[0],
        Date = DateOnly.ParseExact(f[1], "yyyy-MM-dd", CultureInfo.InvariantCulture),
        UsdPerUnit = decimal.Parse(f[2], CultureInfo.InvariantCulture),
        Source = f[3],
    });

    private static T[] ReadCsv<T>(string name, string expectedHeader, Func<List<string>, T> map)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Comp.Api.Data.Seed." + name)
            ?? throw new InvalidOperationException($"The embedded {name} is missing.");
        using var reader = new StreamReader(stream);
        var header = reader.ReadLine();
        if (header != expectedHeader)
            throw new InvalidOperationException($"{name} has an unexpected header: {header}");
        var result = new List<T>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                result.Add(map(SplitCsvLine(line)));
        }
        return [.. result];
    }

    /// <summary>RFC 4180 fields of one physical line (quotes, doubled quotes); the seed files have no embedded line breaks.</summary>
    internal static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
