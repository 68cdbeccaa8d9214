using System.Text;
using Comp.Api.Data;
using Comp.Statistics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Comp.Api.Features.Bands;

/// <summary>One cell's data before disclosure: its group, its values ascending, and its counts.</summary>
public sealed record CellValues(IReadOnlyDictionary<string, string?> Group, double[] Sorted, CellCounts Counts);

/// <summary>Where band cells come from. PostgreSQL today; an in-memory index may answer later.</summary>
public interface IBandStore
{
    Task<IReadOnlyList<CellValues>> GetCellsAsync(BandQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// Answers a band query in one SQL statement: PostgreSQL filters, groups and sorts each cell's
/// values (the same sort <c>percentile_cont</c> does), and returns them as one float8 array per
/// cell with the counts disclosure needs. The type-7 arithmetic then runs in
/// <see cref="Statistics.Percentiles"/>, which mirrors <c>percentile_cont</c> bit for bit.
/// </summary>
public sealed class SqlBandStore(CompDbContext db) : IBandStore
{
    public async Task<IReadOnlyList<CellValues>> GetCellsAsync(BandQuery query, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand();
        command.CommandText = BuildSql(query, command.Parameters);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        command.Connection = connection;
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
            await connection.OpenAsync(cancellationToken);
        try
        {
            var cells = new List<CellValues>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var group = new Dictionary<string, string?>(query.GroupBy.Count);
                for (var i = 0; i < query.GroupBy.Count; i++)
                    group[query.GroupBy[i]] = reader.IsDBNull(i) ? null : reader.GetString(i);
                var at = query.GroupBy.Count;
                var counts = new CellCounts(reader.GetInt32(at), reader.GetInt32(at + 1), reader.GetInt32(at + 2));
                // Without groupBy an empty cut still yields one row: a cell of no values.
                var values = reader.IsDBNull(at + 3) ? [] : reader.GetFieldValue<double[]>(at + 3);
                cells.Add(new CellValues(group, values, counts));
            }
            return cells;
        }
        finally
        {
            if (opened)
                await connection.CloseAsync();
        }
    }

    /// <summary>The SQL expression of a component's annual value, null where the datapoint lacks it.</summary>
    public static string ValueSql(Component component) => component switch
    {
        Component.Base => "d.base_salary",
        Component.Bonus => "d.target_bonus",
        Component.Equity => "d.equity_grant / d.equity_vesting_years",
        Component.Retention => "d.retention_grant / d.retention_vesting_years",
        Component.Signon => "d.sign_on_bonus",
        Component.Total => TotalSql,
        Component.Year1 => $"{TotalSql} + coalesce(d.sign_on_bonus, 0)",
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    private const string TotalSql =
        "d.base_salary + coalesce(d.target_bonus, 0) + coalesce(d.equity_grant, 0) / d.equity_vesting_years" +
        " + coalesce(d.retention_grant, 0) / d.retention_vesting_years";

    private static string GroupSql(string key) => key switch
    {
        GroupKeys.Employer => "e.slug",
        GroupKeys.Role => "d.role",
        GroupKeys.Level => "d.level",
        GroupKeys.Region => "d.region",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    /// <summary>The WHERE clause of a band query over <c>datapoints d</c>, its values bound as parameters.</summary>
    public static string WhereSql(BandQuery query, NpgsqlParameterCollection parameters)
    {
        var where = new List<string> { $"({ValueSql(query.Component)}) IS NOT NULL" };
        string Add(object value, NpgsqlDbType type)
        {
            var name = $"p{parameters.Count}";
            parameters.Add(new NpgsqlParameter(name, type) { Value = value });
            return "@" + name;
        }

        // Until currency conversion lands, a band counts only datapoints already in its currency.
        where.Add($"d.currency = {Add(query.Currency, NpgsqlDbType.Char)}");
        if (query.EmployerIds.Count > 0)
            where.Add($"d.employer_id = ANY({Add(query.EmployerIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        if (query.Roles.Count > 0)
            where.Add($"d.role = ANY({Add(query.Roles.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        if (query.Levels.Count > 0)
            where.Add($"d.level = ANY({Add(query.Levels.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        if (query.Regions.Count > 0)
            where.Add($"d.region = ANY({Add(query.Regions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        if (query.From is { } from)
            where.Add($"d.effective_date >= {Add(from, NpgsqlDbType.Date)}");
        if (query.To is { } to)
            where.Add($"d.effective_date <= {Add(to, NpgsqlDbType.Date)}");
        if (query.Sources.Count > 0)
            where.Add($"d.source = ANY({Add(query.Sources.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        if (query.Verified is { } verified)
            where.Add($"d.verified = {Add(verified, NpgsqlDbType.Boolean)}");
        return string.Join(" AND ", where);
    }

    private static string BuildSql(BandQuery query, NpgsqlParameterCollection parameters)
    {
        var groups = query.GroupBy.Select(GroupSql).ToList();
        var aliases = query.GroupBy.Select((_, i) => $"g{i}").ToList();
        var selectGroups = string.Concat(groups.Select((g, i) => $"{g} AS {aliases[i]}, "));
        var partition = string.Join(", ", groups.Append("d.employer_id"));
        var outerGroups = string.Concat(aliases.Select(a => a + ", "));
        var sql = new StringBuilder();
        sql.Append($"""
            SELECT {outerGroups}count(*)::int, count(DISTINCT employer_id)::int, coalesce(max(employer_n), 0)::int, array_agg(v ORDER BY v)
            FROM (
                SELECT {selectGroups}d.employer_id, ({ValueSql(query.Component)})::float8 AS v,
                       count(*) OVER (PARTITION BY {partition}) AS employer_n
                FROM datapoints d
            """);
        if (query.GroupBy.Contains(GroupKeys.Employer))
            sql.Append(" JOIN employers e ON e.id = d.employer_id");
        sql.Append($"\n    WHERE {WhereSql(query, parameters)}\n) f");
        if (aliases.Count > 0)
            sql.Append($"\nGROUP BY {string.Join(", ", aliases)} ORDER BY {string.Join(", ", aliases)}");
        return sql.ToString();
    }
}
