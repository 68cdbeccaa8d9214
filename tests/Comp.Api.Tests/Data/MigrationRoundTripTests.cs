using Comp.Api.Data;
using Comp.Api.Data.Seed;
using Comp.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Comp.Api.Tests.Data;

/// <summary>Up, down to nothing and up again, on a database of its own (not the API's).</summary>
public sealed class MigrationRoundTripTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private CompDbContext Context() => new(new DbContextOptionsBuilder<CompDbContext>()
        .UseNpgsql(database.ConnectionString)
        .UseSnakeCaseNamingConvention()
        .UseCompSeeding()
        .Options);

    private async Task<long> CountAsync(CompDbContext db, string sql) =>
        await db.Database.SqlQueryRaw<long>(sql).SingleAsync();

    [Fact]
    public async Task Migrations_go_up_seeded_down_to_nothing_and_up_again()
    {
        const string PublicObjects = """
            SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relname NOT IN ('__EFMigrationsHistory', 'pk___ef_migrations_history'))
                 + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public') AS "Value"
            """;
        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
            Assert.Equal(TaxonomySeed.Regions.Length, await db.Regions.CountAsync());

            // Seeding runs after a migration down too; it must leave a database without the tables alone.
            await db.GetService<IMigrator>().MigrateAsync(Migration.InitialDatabase);
            Assert.Equal(0, await CountAsync(db, PublicObjects));
        }
        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
            Assert.Equal(TaxonomySeed.FxRates.Length, await db.FxRates.CountAsync());
            Assert.Equal(1, await CountAsync(db, """SELECT count(*) AS "Value" FROM band_index_epoch"""));
        }
    }
}
