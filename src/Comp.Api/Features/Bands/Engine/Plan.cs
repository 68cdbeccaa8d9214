namespace Comp.Api.Features.Bands.Engine;

/// <summary>Rows <see cref="Start"/> to <see cref="End"/> of a posting list, or of all rows when <see cref="List"/> is null.</summary>
internal readonly record struct Segment(RowList? List, int Start, int End);

/// <summary>
/// The rows a query visits: the shortest union of posting lists among its filtered dimensions
/// (employer, role, role-and-region), or every row when the data has no lists or no filter
/// narrows it. Filters the chosen lists guarantee are not tested again (<see cref="ImpliesRole"/> and the like).
/// </summary>
internal sealed class Plan
{
    public List<Segment> Segments { get; } = [];
    public long Rows { get; private set; }
    public bool ImpliesRole { get; private set; }
    public bool ImpliesRegion { get; private set; }
    public bool ImpliesEmployer { get; private set; }

    public static long RowCount(List<Segment> segments) => segments.Sum(x => (long)(x.End - x.Start));

    public static Plan For(IndexData data, BandQuery query, RowFilters filters)
    {
        var plan = new Plan();
        List<RowList>? best = null;
        var bestCount = long.MaxValue;
        void Consider(IEnumerable<RowList?> lists, bool role, bool region, bool employer)
        {
            var chosen = new List<RowList>();
            long count = 0;
            foreach (var list in lists)
            {
                if (list is not null)
                {
                    chosen.Add(list);
                    count += list.Count;
                }
            }
            if (count < bestCount)
            {
                best = chosen;
                bestCount = count;
                (plan.ImpliesRole, plan.ImpliesRegion, plan.ImpliesEmployer) = (role, region, employer);
            }
        }
        static RowList? At(RowList[] lists, int code) => code >= 0 && code < lists.Length ? lists[code] : null;
        if (data.HasPostingLists)
        {
            // An exclusion has no list of its own: every other employer's rows are candidates.
            if (filters.Employers is not null && query.EmployerIds.Count > 0)
                Consider(query.EmployerIds.Select(id => data.TryEmployerCode(id, out var code) ? At(data.ByEmployer, code) : null), false, false, true);
            if (filters.Roles is { } roles)
                Consider(roles.Codes.Select(code => At(data.ByRole, code)), true, false, false);
            if (filters.Regions is { } regions)
            {
                // Role and region together: the filtered roles (or every role) in each region asked for.
                var roleCodes = filters.Roles?.Codes ?? Enumerable.Range(0, data.Roles.Count).ToList();
                Consider(roleCodes.SelectMany(role => regions.Codes.Select(region =>
                    data.ByRoleRegion.GetValueOrDefault(IndexData.RoleRegion(role, region)))), true, true, false);
            }
        }

        if (best is null)
            plan.Segments.Add(new Segment(null, 0, data.Count));
        else
            // A list of consecutive rows (as compaction leaves a role-and-region list) is read as a range.
            plan.Segments.AddRange(best.Select(list => list.IsRange(out var first)
                ? new Segment(null, first, first + list.Count)
                : new Segment(list, 0, list.Count)));
        plan.Rows = RowCount(plan.Segments);
        return plan;
    }

    /// <summary>The segments split in two halves of about the same number of rows, for two cores.</summary>
    public (List<Segment> First, List<Segment> Second) Halves()
    {
        var first = new List<Segment>();
        var second = new List<Segment>();
        var left = Rows / 2;
        foreach (var segment in Segments)
        {
            var length = segment.End - segment.Start;
            if (left >= length)
            {
                first.Add(segment);
                left -= length;
            }
            else if (left > 0)
            {
                var cut = segment.Start + (int)left;
                first.Add(segment with { End = cut });
                second.Add(segment with { Start = cut });
                left = 0;
            }
            else
                second.Add(segment);
        }
        return (first, second);
    }
}
