using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// The one band engine: answers a band query over band data in columns (<see cref="IndexData"/>),
/// whichever source filled them: the in-memory index (all datapoints, with posting lists) or
/// PostgreSQL (a batch of one cut's candidate rows). It picks the rows to visit (<see cref="Plan"/>),
/// scans them (<see cref="Scan"/>: filters, component value, conversion, aging, cell), and hands
/// back each cell's values unsorted with the counts disclosure needs.
/// </summary>
internal static class BandEngine
{
    /// <summary>Runs the query under the data's read lock; from <paramref name="parallelFrom"/> candidate rows on, on two cores.</summary>
    public static BandData Run(IndexData data, BandQuery query, double agingRate, long parallelFrom)
    {
        data.Gate.EnterReadLock();
        try
        {
            var filters = RowFilters.For(data, query);
            if (filters is null)
                return BandData.Of(query, [], new Dictionary<string, int>(), data.Fx);
            var plan = Plan.For(data, query, filters);

            // A single cell counts employers as rows come from as many candidates as employers on
            // (else it lists each value's employer and counts those at the end). Both halves of a
            // split scan do the same, so their cells merge.
            // A company-weighted cell always lists them: it needs each value's employer for the medians.
            var employerSlots = query.Weighting == Weighting.Incumbent && plan.Rows >= data.Employers ? Math.Max(1, data.Employers) : 0;
            // One cell numbering for both halves: names may be added (outside the write lock)
            // between two constructions, which would change the strides of a second CellKey.
            var keys = new CellKey(data, query);
            Scan NewScan(long expected) => new(data, query, data.Fx, agingRate, filters, plan, keys, (int)Math.Min(expected, Array.MaxLength), employerSlots);
            var scan = NewScan(plan.Rows);
            if (plan.Rows < parallelFrom || Environment.ProcessorCount < 2)
                scan.Run(plan.Segments);
            else
            {
                var (first, second) = plan.Halves();
                var other = NewScan(Plan.RowCount(second));
                // The calling thread runs one half and, if no worker has taken it yet, the other too.
                Parallel.Invoke(() => scan.Run(first), () => other.Run(second));
                scan.Merge(other);
            }
            return BandData.Of(query, scan.Cells(), scan.LeftOut(), data.Fx);
        }
        finally
        {
            data.Gate.ExitReadLock();
        }
    }
}
