using System.Data;
using Comp.Statistics;
using Npgsql;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// Reads band data from PostgreSQL into columns, for both sources: the in-memory index (every
/// datapoint, then changes) and the SQL source (one cut's candidate rows). Only stored values
/// cross over (amounts cast to float8, as percentile_cont computes in float8); every rule is
/// applied here in C#: annual grant values (<see cref="Components.Annual{T}"/>), the grants'
/// vesting (<see cref="Profiles"/>), day numbers (<see cref="Days"/>).
/// </summary>
internal static class RowReader
{
    private static readonly string Columns =
        "d.employer_id, d.role, d.level, d.region, d.currency::text, d.effective_date, " +
        "d.base_salary::float8, d.target_bonus::float8, d.equity_grant::float8, d.equity_vesting_years, " +
        "d.retention_grant::float8, d.retention_vesting_years, d.sign_on_bonus::float8, d.source, d.verified, " +
        "d.equity_vesting_schedule::float8[], d.retention_vesting_schedule::float8[], d.equity_basis, d.package_type" +
        string.Concat(IndexData.RangeColumns.Select(c => ", " + c.Sql));

    /// <summary>
    /// The SELECT of datapoints <c>d</c> matching <paramref name="where"/>, in the form <see cref="Reader"/>
    /// reads. Without <paramref name="ids"/> (a one-cut batch, which never looks a row up) every row
    /// gets the empty id: every other column is in the band indexes' INCLUDE lists, so PostgreSQL
    /// can answer from an index alone.
    /// </summary>
    public static string Select(string where, bool ids = true) =>
        $"SELECT {(ids ? "d.id" : "'00000000-0000-0000-0000-000000000000'::uuid")}, {Columns} FROM datapoints d WHERE {where}";

    /// <summary>Reads rows of <see cref="Select"/> into <paramref name="target"/>'s codes, interning strings without allocating.</summary>
    public sealed class Reader(IndexData target)
    {
        private readonly char[] buffer = new char[256];

        public IndexRow Read(NpgsqlDataReader reader)
        {
            // Sequential access: every column in its order.
            var row = new IndexRow
            {
                Id = reader.GetGuid(0),
                EmployerId = reader.GetInt32(1),
                Role = target.Roles.Intern(Text(reader, 2)),
                Level = reader.IsDBNull(3) ? 0 : 1 + target.Levels.Intern(Text(reader, 3)),
                Region = target.Regions.Intern(Text(reader, 4)),
                Currency = target.Currencies.Intern(Text(reader, 5)),
                Day = Days.Of(reader.GetFieldValue<DateOnly>(6)),
                Base = reader.GetDouble(7),
                Bonus = reader.IsDBNull(8) ? double.NaN : reader.GetDouble(8),
            };
            var equityGrant = reader.IsDBNull(9) ? double.NaN : reader.GetDouble(9);
            var equityYears = reader.GetInt32(10);
            var retentionGrant = reader.IsDBNull(11) ? double.NaN : reader.GetDouble(11);
            var retentionYears = reader.GetInt32(12);
            row.Equity = double.IsNaN(equityGrant) ? double.NaN : Components.Annual(equityGrant, equityYears);
            row.Retention = double.IsNaN(retentionGrant) ? double.NaN : Components.Annual(retentionGrant, retentionYears);
            row.Signon = reader.IsDBNull(13) ? double.NaN : reader.GetDouble(13);
            row.Source = target.Sources.Intern(Text(reader, 14));
            row.Verified = reader.GetBoolean(15);
            var equitySchedule = reader.IsDBNull(16) ? null : reader.GetFieldValue<double[]>(16);
            var retentionSchedule = reader.IsDBNull(17) ? null : reader.GetFieldValue<double[]>(17);
            var basis = reader.IsDBNull(18) ? 0 : 1 + Code(Text(reader, 18), EquityBases.All);
            var package = Code(Text(reader, 19), PackageTypes.All);
            row.Profile = target.Profiles.Intern(basis, package, equityYears, equitySchedule, retentionYears, retentionSchedule);
            for (var i = 0; i < IndexData.RangeColumns.Length; i++)
                row.Ranges[i] = reader.IsDBNull(FirstRange + i) ? float.NaN : (float)reader.GetDouble(FirstRange + i);
            return row;
        }

        private const int FirstRange = 20;

        /// <summary>A value's place in a fixed vocabulary (the table's CHECK constraints hold it to one).</summary>
        private static int Code(ReadOnlySpan<char> value, IReadOnlyList<string> vocabulary)
        {
            for (var i = 0; i < vocabulary.Count; i++)
                if (value.SequenceEqual(vocabulary[i]))
                    return i;
            throw new InvalidOperationException($"'{value}' is not one of {string.Join(", ", vocabulary)}.");
        }

        private ReadOnlySpan<char> Text(NpgsqlDataReader reader, int ordinal)
        {
            var length = (int)reader.GetChars(ordinal, 0, buffer, 0, buffer.Length);
            if (length < buffer.Length)
                return buffer.AsSpan(0, length);
            // Longer than any slug should be: read the rest and intern the whole string.
            var text = new System.Text.StringBuilder().Append(buffer);
            long offset = length;
            int read;
            while ((read = (int)reader.GetChars(ordinal, offset, buffer, 0, buffer.Length)) > 0)
            {
                text.Append(buffer, 0, read);
                offset += read;
            }
            return text.ToString();
        }
    }

    /// <summary>Reads the rows of <paramref name="command"/> (a <see cref="Select"/>) into <paramref name="target"/>; returns how many.</summary>
    public static async Task<int> AppendAsync(NpgsqlCommand command, IndexData target, CancellationToken cancellationToken)
    {
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        var parser = new Reader(target);
        while (await reader.ReadAsync(cancellationToken))
        {
            target.Append(parser.Read(reader));
            rows++;
        }
        return rows;
    }

    /// <summary>Employers' slugs, all of them or those with <paramref name="ids"/>.</summary>
    public static async Task<List<(int Id, string Slug)>> EmployersAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, int[]? ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            ids is null ? "SELECT id, slug FROM employers" : "SELECT id, slug FROM employers WHERE id = ANY(@ids)", connection, transaction);
        if (ids is not null)
            command.Parameters.AddWithValue("ids", ids);
        var employers = new List<(int, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            employers.Add((reader.GetInt32(0), reader.GetString(1)));
        return employers;
    }

    /// <summary>The FX table.</summary>
    public static async Task<FxTable> FxAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT currency::text, date, usd_per_unit::float8 FROM fx_rates", connection, transaction);
        var rates = new List<FxRate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rates.Add(new FxRate(reader.GetString(0), Days.Of(reader.GetFieldValue<DateOnly>(1)), reader.GetDouble(2)));
        return new FxTable(rates);
    }
}
