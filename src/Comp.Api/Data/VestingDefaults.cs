using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Data;

/// <summary>An employer's default vesting schedules (yearly percentages; null: none).</summary>
public sealed record EmployerVesting(decimal[]? Equity, decimal[]? Retention);

/// <summary>
/// Employers' default vesting schedules (SPEC §1): a grant without a schedule of its own vests by
/// its employer's default when its vesting years equal the default's length (a default changes the
/// shape, never the length). A datapoint stores the schedule it vests by, with a flag saying it
/// came from its employer, so that bands read it like any other column and the flagged ones follow
/// the default when it changes (as mapped levels follow a level mapping). Used by the datapoint
/// routes at ingest, by <c>PUT /v1/employers/{slug}/vesting</c>, and by the demo loader.
/// </summary>
public static class VestingDefaults
{
    /// <summary>
    /// The defaults of the given employers, by id, read inside the writing transaction with a share
    /// lock on their rows: a concurrent <c>PUT /v1/employers/{slug}/vesting</c> (which updates the
    /// row) either commits before this reads, or waits for this transaction's datapoints to commit
    /// and then re-applies its default to them. Either way no datapoint keeps a default that was replaced.
    /// </summary>
    public static async Task<Dictionary<int, EmployerVesting>> ReadAsync(CompDbContext db, int[] employerIds, CancellationToken cancellationToken)
    {
        // Not composed on: the locking clause stays the statement's own.
        var rows = await db.Employers.FromSqlInterpolated($"SELECT * FROM employers WHERE id = ANY({employerIds}) ORDER BY id FOR SHARE")
            .AsNoTracking().ToListAsync(cancellationToken);
        return rows.ToDictionary(e => e.Id, e => new EmployerVesting(e.EquityVestingDefault, e.RetentionVestingDefault));
    }

    /// <summary>Gives a new datapoint's grants without a schedule its employer's default of the same length.</summary>
    public static void Apply(Datapoint d, EmployerVesting? defaults)
    {
        if (defaults is null)
            return;
        if (d.EquityVestingSchedule is null && defaults.Equity is { } equity && equity.Length == d.EquityVestingYears)
            (d.EquityVestingSchedule, d.EquityScheduleFromEmployer) = (equity, true);
        if (d.RetentionVestingSchedule is null && defaults.Retention is { } retention && retention.Length == d.RetentionVestingYears)
            (d.RetentionVestingSchedule, d.RetentionScheduleFromEmployer) = (retention, true);
    }

    /// <summary>
    /// Brings the employer's stored datapoints in line with its defaults (as they are in the
    /// transaction): a grant with no schedule of its own, or one from the previous default, takes
    /// the default when the lengths agree and vests evenly otherwise; a schedule given at ingest
    /// is never touched. Returns how many datapoints changed.
    /// </summary>
    public static Task<int> ReapplyAsync(CompDbContext db, int employerId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE datapoints d
            SET equity_vesting_schedule = n.equity, equity_schedule_from_employer = n.equity IS NOT NULL AND n.equity_follows,
                retention_vesting_schedule = n.retention, retention_schedule_from_employer = n.retention IS NOT NULL AND n.retention_follows
            FROM (
                SELECT x.id, f.equity_follows, f.retention_follows,
                       CASE WHEN f.equity_follows THEN CASE WHEN cardinality(e.equity_vesting_default) = x.equity_vesting_years THEN e.equity_vesting_default END
                            ELSE x.equity_vesting_schedule END AS equity,
                       CASE WHEN f.retention_follows THEN CASE WHEN cardinality(e.retention_vesting_default) = x.retention_vesting_years THEN e.retention_vesting_default END
                            ELSE x.retention_vesting_schedule END AS retention
                FROM datapoints x
                JOIN employers e ON e.id = x.employer_id
                CROSS JOIN LATERAL (SELECT x.equity_vesting_schedule IS NULL OR x.equity_schedule_from_employer AS equity_follows,
                                           x.retention_vesting_schedule IS NULL OR x.retention_schedule_from_employer AS retention_follows) f
                WHERE x.employer_id = {employerId}
            ) n
            WHERE d.id = n.id
              AND (n.equity IS DISTINCT FROM d.equity_vesting_schedule OR n.retention IS DISTINCT FROM d.retention_vesting_schedule
                   OR (n.equity IS NOT NULL AND n.equity_follows) <> d.equity_schedule_from_employer
                   OR (n.retention IS NOT NULL AND n.retention_follows) <> d.retention_schedule_from_employer)
            """, cancellationToken);
}
