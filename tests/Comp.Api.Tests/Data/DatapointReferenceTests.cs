using Comp.Api.Tests.Infrastructure;
using Npgsql;

namespace Comp.Api.Tests.Data;

/// <summary>
/// A datapoint's references (employer, role, level, region, API key) are checked once per statement
/// by triggers (migration SetBasedDatapointReferences), not per row by foreign keys. They refuse
/// what the constraints refused, under the constraints' names and SQLSTATE 23503, in both
/// directions and against a concurrent delete.
/// </summary>
public sealed class DatapointReferenceTests(CompApiFactory factory) : ApiTest(factory)
{
    /// <summary>Stores one datapoint through the API, and a template table <c>t</c> holding a copy of it with a new id.</summary>
    private async Task<NpgsqlConnection> OneDatapointAsync()
    {
        await Factory.CreateAdminClient().PostOkAsync(Datapoints.Valid(employer: "refs-co", role: "ml-engineer", region: "us-ca-sf-bay-area"));
        var connection = await OpenAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE t AS SELECT * FROM datapoints; UPDATE t SET id = gen_random_uuid()");
        return connection;
    }

    /// <summary>A connection that receives the server's error details (the key a check refused).</summary>
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Factory.ConnectionString) { IncludeErrorDetail = true }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<PostgresException> RefusedAsync(NpgsqlConnection connection, string sql)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        return refused;
    }

    [Theory]
    [InlineData("role = 'no-such-role'", "fk_datapoints_roles_role", "Key (role)=(no-such-role) is not present in table \"roles\".")]
    [InlineData("region = 'xx-nowhere'", "fk_datapoints_regions_region", "Key (region)=(xx-nowhere) is not present in table \"regions\".")]
    [InlineData("level = 'L99'", "fk_datapoints_levels_level", "Key (level)=(L99) is not present in table \"levels\".")]
    [InlineData("employer_id = -1", "fk_datapoints_employers_employer_id", "Key (employer_id)=(-1) is not present in table \"employers\".")]
    [InlineData("api_key_id = '00000000-0000-0000-0000-000000000001'", "fk_datapoints_api_keys_api_key_id",
        "Key (api_key_id)=(00000000-0000-0000-0000-000000000001) is not present in table \"api_keys\".")]
    public async Task A_row_that_refers_to_nothing_is_refused_and_its_statement_stores_nothing(string change, string constraint, string detail)
    {
        await using var connection = await OneDatapointAsync();
        // Three rows in one statement, one of them bad: the statement stores none.
        await ExecuteAsync(connection, "INSERT INTO t SELECT * FROM t; UPDATE t SET id = gen_random_uuid()");
        await ExecuteAsync(connection, $"INSERT INTO t SELECT * FROM t LIMIT 1; UPDATE t SET id = gen_random_uuid(); UPDATE t SET {change} WHERE id = (SELECT min(id::text)::uuid FROM t)");

        var refused = await RefusedAsync(connection, "INSERT INTO datapoints SELECT * FROM t");

        Assert.Equal(constraint, refused.ConstraintName);
        Assert.Equal(detail, refused.Detail);
        Assert.Equal(1, await CountAsync(connection, "SELECT count(*) FROM datapoints"));
        // The same change as an UPDATE of a stored row.
        var updated = await RefusedAsync(connection, $"UPDATE datapoints SET {change}");
        Assert.Equal(constraint, updated.ConstraintName);
    }

    [Fact]
    public async Task A_null_level_refers_to_nothing_and_is_stored()
    {
        await using var connection = await OneDatapointAsync();

        await ExecuteAsync(connection, "UPDATE t SET level = NULL; INSERT INTO datapoints SELECT * FROM t");

        Assert.Equal(1, await CountAsync(connection, "SELECT count(*) FROM datapoints WHERE level IS NULL"));
    }

    [Fact]
    public async Task A_referenced_row_cannot_be_deleted_or_renamed_and_an_unused_one_can()
    {
        await using var connection = await OneDatapointAsync();

        var deleted = await RefusedAsync(connection, "DELETE FROM roles WHERE slug IN ('ml-engineer', 'designer')");
        Assert.Equal("fk_datapoints_roles_role", deleted.ConstraintName);
        Assert.Equal("Key (slug)=(ml-engineer) is still referenced from table \"datapoints\".", deleted.Detail);
        var renamed = await RefusedAsync(connection, "UPDATE employers SET id = -7 WHERE slug = 'refs-co'");
        Assert.Equal("fk_datapoints_employers_employer_id", renamed.ConstraintName);
        Assert.Equal("fk_datapoints_regions_region", (await RefusedAsync(connection, "DELETE FROM regions WHERE code = 'us-ca-sf-bay-area'")).ConstraintName);
        Assert.Equal("fk_datapoints_levels_level", (await RefusedAsync(connection, "DELETE FROM levels WHERE code = 'L4'")).ConstraintName);

        // Nothing refers to designers, and an update that keeps the key is no rename.
        await ExecuteAsync(connection, "BEGIN; DELETE FROM roles WHERE slug = 'designer'; UPDATE roles SET title = title; ROLLBACK");
        // Once no datapoint uses it, the employer goes.
        await ExecuteAsync(connection, "DELETE FROM datapoints; DELETE FROM employers WHERE slug = 'refs-co'");
        Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM employers WHERE slug = 'refs-co'"));
    }

    [Fact]
    public async Task A_delete_of_a_role_waits_for_a_transaction_that_stored_a_datapoint_of_it_then_is_refused()
    {
        await using var writer = await OneDatapointAsync();
        await ExecuteAsync(writer, "DELETE FROM datapoints");
        await using var admin = await OpenAsync();

        await ExecuteAsync(writer, "BEGIN; INSERT INTO datapoints SELECT * FROM t");
        var delete = ExecuteAsync(admin, "DELETE FROM roles WHERE slug = 'ml-engineer'");
        // The insert holds the role FOR KEY SHARE: the delete waits for it.
        await Task.Delay(300);
        Assert.False(delete.IsCompleted);
        await ExecuteAsync(writer, "COMMIT");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => delete);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal(1, await CountAsync(admin, "SELECT count(*) FROM roles WHERE slug = 'ml-engineer'"));
    }

    [Fact]
    public async Task An_insert_of_a_role_deleted_meanwhile_is_refused()
    {
        await using var writer = await OneDatapointAsync();
        // A role of its own (the fixture's reset removes roles the seed does not have).
        await ExecuteAsync(writer, "INSERT INTO roles (slug, title, family) VALUES ('refs-role', 'Refs', 'engineering'); DELETE FROM datapoints; UPDATE t SET role = 'refs-role'");
        await using var admin = await OpenAsync();

        await ExecuteAsync(admin, "BEGIN; DELETE FROM roles WHERE slug = 'refs-role'");
        var insert = ExecuteAsync(writer, "INSERT INTO datapoints SELECT * FROM t");
        await Task.Delay(300);
        Assert.False(insert.IsCompleted);
        await ExecuteAsync(admin, "COMMIT");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert);
        Assert.Equal("fk_datapoints_roles_role", refused.ConstraintName);
        Assert.Equal(0, await CountAsync(writer, "SELECT count(*) FROM datapoints"));
    }
}
