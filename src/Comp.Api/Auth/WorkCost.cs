using System.Numerics;

namespace Comp.Api.Auth;

/// <summary>
/// What a request costs against its caller's budget, in work units:
/// <c>units = ⌈√(R / 1024)⌉</c>, where R is the rows the answer counts rounded up to a power of two
/// (at least 1). Up to 1,024 rows cost 1 unit, as does every request that reads no band; 100,000
/// rows cost 12; 1,000,000 cost 32; 10,000,000 cost 128. The square root follows the work: a scan
/// of the band index costs far less per row than a request's fixed cost, so a 1M-row band (about
/// 35 ms of CPU here) costs 32 small cuts (about 1 ms each, framework included), not a thousand.
/// </summary>
/// <remarks>
/// The rows are the sum of the <c>n</c> the answer publishes to its caller (<see cref="WorkMeter"/>):
/// in the protected tier the noisy counts, so a charge is a function of the answer the caller
/// receives and the budget headers tell nothing about a cell that its protected answer does not.
/// The power-of-two steps make the charge coarser still.
/// </remarks>
public static class WorkCost
{
    /// <summary>Rows that one unit of the square root stands for.</summary>
    public const int RowsPerUnit = 1024;

    public static int Units(long rows)
    {
        var rounded = rows <= 1 ? 1UL : BitOperations.RoundUpToPowerOf2((ulong)rows);
        return (int)Math.Max(1, Math.Ceiling(Math.Sqrt(rounded / (double)RowsPerUnit)));
    }

    public const string Formula = "units = ceil(sqrt(R / 1024)), R = the rows the answer counts (the sum of its published cells' n; a company-weighted cell counts its datapoints, not its employers) rounded up to a power of two; at least 1 unit per request";
}

/// <summary>
/// The rows one request's answers count, noted by the band service as it publishes cells (scoped:
/// one per request). The rate limiter turns them into units when the response starts.
/// </summary>
public sealed class WorkMeter
{
    private long rows;

    public long Rows => Interlocked.Read(ref rows);

    public int Units => WorkCost.Units(Rows);

    /// <summary>Notes rows counted before: an answer served again from the answer cache costs what it cost when it was made.</summary>
    public void CountRows(long n)
    {
        if (n > 0)
            Interlocked.Add(ref rows, n);
    }

    /// <summary>Notes the <c>n</c> a published cell shows its caller (null, a withheld count, notes nothing).</summary>
    public void Count(int? n) => CountRows(n ?? 0);
}
