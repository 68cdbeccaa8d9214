using Npgsql;
using NpgsqlTypes;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>A row to put straight into the datapoints table (bypassing the API, for volume).</summary>
public sealed record SeedRow(
    string Employer, string Role, string? Level, string Region, string Currency, DateOnly EffectiveDate,
    decimal BaseSalary, decimal? TargetBonus = null, decimal? SignOnBonus = null, decimal? EquityGrant = null,
    int EquityVestingYears = 4, decimal? RetentionGrant = null, int RetentionVestingYears = 4,
    string Source = "self_reported", bool Verified = false, decimal? YearsOfExperience = null,
    decimal[]? EquityVestingSchedule = null, decimal[]? RetentionVestingSchedule = null, string? EquityBasis = null, string PackageType = "new_hire");

public static class SeedData
{
    /// <summary>Inserts rows with binary COPY, creating their employers, under the bootstrap key.</summary>
    public static async Task InsertAsync(this CompApiFactory factory, IReadOnlyCollection<SeedRow> rows)
    {
        await using var connection = await factory.OpenAsync();
        foreach (var slug in rows.Select(r => r.Employer).Distinct())
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO employers (slug, name, created_at) VALUES (@s, @s, now()) ON CONFLICT (slug) DO NOTHING", connection);
            command.Parameters.AddWithValue("s", slug);
            await command.ExecuteNonQueryAsync();
        }
        var employerIds = new Dictionary<string, int>();
        await using (var command = new NpgsqlCommand("SELECT slug, id FROM employers", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                employerIds[reader.GetString(0)] = reader.GetInt32(1);
        var keyId = (Guid)(await new NpgsqlCommand("SELECT id FROM api_keys WHERE name = 'bootstrap-admin'", connection).ExecuteScalarAsync())!;

        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY datapoints (id, employer_id, role, level, region, currency, effective_date, base_salary, target_bonus, sign_on_bonus, " +
            "equity_grant, equity_vesting_years, retention_grant, retention_vesting_years, source, verified, created_at, api_key_id, years_of_experience, " +
            "equity_vesting_schedule, retention_vesting_schedule, equity_basis, package_type) FROM STDIN (FORMAT BINARY)");
        foreach (var r in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
            await writer.WriteAsync(employerIds[r.Employer], NpgsqlDbType.Integer);
            await writer.WriteAsync(r.Role, NpgsqlDbType.Text);
            await WriteNullable(writer, r.Level, NpgsqlDbType.Text);
            await writer.WriteAsync(r.Region, NpgsqlDbType.Text);
            await writer.WriteAsync(r.Currency, NpgsqlDbType.Char);
            await writer.WriteAsync(r.EffectiveDate, NpgsqlDbType.Date);
            await writer.WriteAsync(r.BaseSalary, NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.TargetBonus, NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.SignOnBonus, NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.EquityGrant, NpgsqlDbType.Numeric);
            await writer.WriteAsync(r.EquityVestingYears, NpgsqlDbType.Integer);
            await WriteNullable(writer, r.RetentionGrant, NpgsqlDbType.Numeric);
            await writer.WriteAsync(r.RetentionVestingYears, NpgsqlDbType.Integer);
            await writer.WriteAsync(r.Source, NpgsqlDbType.Varchar);
            await writer.WriteAsync(r.Verified, NpgsqlDbType.Boolean);
            await writer.WriteAsync(DateTimeOffset.UtcNow, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(keyId, NpgsqlDbType.Uuid);
            await WriteNullable(writer, r.YearsOfExperience, NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.EquityVestingSchedule, NpgsqlDbType.Array | NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.RetentionVestingSchedule, NpgsqlDbType.Array | NpgsqlDbType.Numeric);
            await WriteNullable(writer, r.EquityBasis, NpgsqlDbType.Varchar);
            await writer.WriteAsync(r.PackageType, NpgsqlDbType.Varchar);
        }
        await writer.CompleteAsync();
    }

    private static async Task WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null)
            await writer.WriteNullAsync();
        else
            await writer.WriteAsync(value, type);
    }

    private static async Task WriteNullable(NpgsqlBinaryImporter writer, decimal? value, NpgsqlDbType type)
    {
        if (value is null)
            await writer.WriteNullAsync();
        else
            await writer.WriteAsync(value.Value, type);
    }
}
