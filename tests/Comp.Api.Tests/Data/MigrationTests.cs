using Comp.Api.Data;
using Comp.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Comp.Api.Tests.Data;

/// <summary>The model, its migrations and what the migrations add in raw SQL.</summary>
public sealed class MigrationTests(CompApiFactory factory) : ApiTest(factory)
{
    private static CompDbContext DesignTimeContext() => new DesignTimeFactory().CreateDbContext([]);

    [Fact]
    public void The_model_seeds_nothing_through_HasData()
    {
        using var db = DesignTimeContext();
        var model = db.GetService<IDesignTimeModel>().Model;

        Assert.NotEmpty(model.GetEntityTypes());
        Assert.Empty(model.GetEntityTypes().Where(e => e.GetSeedData().Any()).Select(e => e.ClrType.Name));
    }

    [Fact]
    public void The_migrations_describe_the_whole_model()
    {
        using var db = DesignTimeContext();

        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration holds: dotnet ef migrations add");
    }

    private async Task<List<string>> NamesAsync(string sql)
    {
        await using var connection = await Factory.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        return names;
    }

    [Fact]
    public async Task The_migrated_schema_has_what_the_migrations_add_in_raw_sql()
    {
        Assert.Equal(
            ["api_keys.api_keys_changed", "api_keys.api_keys_truncated", "api_keys.datapoints_keep_referenced_on_delete", "api_keys.datapoints_keep_referenced_on_update",
             "datapoints.datapoints_dataset_version", "datapoints.datapoints_record_deletions", "datapoints.datapoints_references_inserted",
             "datapoints.datapoints_references_updated", "datapoints.datapoints_touch", "datapoints.datapoints_truncated",
             "employer_levels.employer_levels_dataset_version", "employers.datapoints_keep_referenced_on_delete", "employers.datapoints_keep_referenced_on_update",
             "fx_rates.fx_rates_dataset_version", "levels.datapoints_keep_referenced_on_delete", "levels.datapoints_keep_referenced_on_update",
             "regions.datapoints_keep_referenced_on_delete", "regions.datapoints_keep_referenced_on_update",
             "roles.datapoints_keep_referenced_on_delete", "roles.datapoints_keep_referenced_on_update"],
            await NamesAsync("SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1"));
        Assert.Equal(
            ["api_keys_changed", "bump_dataset_version", "datapoints_check_references", "datapoints_keep_referenced", "datapoints_record_deletions",
             "datapoints_touch", "datapoints_truncated", "vesting_schedule_ok"],
            await NamesAsync("SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1"));
        // The datapoints' references are checked by those triggers, once per statement, not by foreign keys (per row).
        Assert.Empty(await NamesAsync("SELECT conname::text FROM pg_constraint WHERE conrelid = 'datapoints'::regclass AND contype = 'f'"));
        Assert.Contains("pg_notify('comp_dataset_changed'", await Factory.ScalarAsync<string>("SELECT prosrc FROM pg_proc WHERE proname = 'bump_dataset_version'"));
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM band_index_epoch"));
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM api_keys_version"));
        Assert.Equal(
            ["change_xid|xid8|pg_current_xact_id()", "level_mapped|boolean|false"],
            await NamesAsync("""
                SELECT column_name || '|' || data_type || '|' || column_default FROM information_schema.columns
                WHERE table_name = 'datapoints' AND column_name IN ('change_xid', 'level_mapped') ORDER BY 1
                """));
        Assert.Equal(
            ["ix_datapoint_deletions_change_xid", "ix_datapoints_band_employer_role", "ix_datapoints_band_role_region", "ix_datapoints_change_xid"],
            await NamesAsync("""
                SELECT indexname::text FROM pg_indexes
                WHERE indexname IN ('ix_datapoint_deletions_change_xid', 'ix_datapoints_change_xid')
                   OR (indexname LIKE 'ix_datapoints_band_%' AND indexdef LIKE '% INCLUDE (%')
                ORDER BY 1
                """));
    }
}
