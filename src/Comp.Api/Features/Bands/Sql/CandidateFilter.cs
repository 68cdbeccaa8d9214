using Comp.Api.Features.Bands.Engine;
using Npgsql;
using NpgsqlTypes;

namespace Comp.Api.Features.Bands.Sql;

/// <summary>
/// The part of a band query PostgreSQL can answer from its covering indexes (employer, excluded employers, role,
/// level, region, effective date, source, verified, equity basis, package type): it narrows the rows read, nothing more. The
/// engine tests every filter again on what comes back, so a filter left out here (a range over
/// years of experience, the component's required amount) changes no answer, only the rows read.
/// </summary>
internal static class CandidateFilter
{
    public static string Sql(BandQuery query, NpgsqlParameterCollection parameters)
    {
        var where = new List<string>();
        string Add(object value, NpgsqlDbType type)
        {
            var name = $"p{parameters.Count}";
            parameters.Add(new NpgsqlParameter(name, type) { Value = value });
            return "@" + name;
        }
        if (query.MatchesNoEmployer)
            return "false";
        if (query.EmployerIds.Count > 0)
            where.Add($"d.employer_id = ANY({Add(query.EmployerIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        if (query.ExcludedEmployerIds.Count > 0)
            where.Add($"d.employer_id <> ALL({Add(query.ExcludedEmployerIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
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
        if (query.EquityBases.Count > 0)
            where.Add($"d.equity_basis = ANY({Add(query.EquityBases.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        if (query.PackageTypes.Count > 0)
            where.Add($"d.package_type = ANY({Add(query.PackageTypes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        return where.Count == 0 ? "true" : string.Join(" AND ", where);
    }
}
