namespace Comp.Statistics;

/// <summary>One FX rate: USD per unit of <see cref="Currency"/> from <see cref="Day"/> (a <see cref="Days"/> number) on.</summary>
public readonly record struct FxRate(string Currency, int Day, double UsdPerUnit);

/// <summary>An FX rate a band used, as responses name it: USD per unit of <paramref name="Currency"/> from <paramref name="Date"/> on.</summary>
public sealed record RateUsed(string Currency, DateOnly Date, double UsdPerUnit);

/// <summary>
/// The FX table as SPEC §3 applies it: each rate holds from its date until the next rate of its
/// currency, the earliest also before its date; USD is the base, 1, and names no rate. A currency
/// without any rate cannot be converted (its values are left out, never converted 1:1).
/// </summary>
public sealed class FxTable
{
    private readonly Dictionary<string, FxRate[]> byCurrency;

    public FxTable(IEnumerable<FxRate> rates)
    {
        byCurrency = rates.GroupBy(r => r.Currency, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Day).ToArray(), StringComparer.Ordinal);
        Signature = string.Join(';', byCurrency.OrderBy(c => c.Key, StringComparer.Ordinal)
            .SelectMany(c => c.Value.Select(r => FormattableString.Invariant($"{r.Currency}:{r.Day}:{r.UsdPerUnit:R}"))));
    }

    public static FxTable Empty { get; } = new([]);

    /// <summary>The base currency: every rate is in it, it is worth 1 and names no rate; also the default currency of an answer.</summary>
    public const string Base = "USD";

    /// <summary>The rule as responses state it in <c>methodology</c>.</summary>
    public const string Rule = "FX: each value converted at the rate of the latest date on or before its effective date (the earliest rate if none is older), " +
        "values in a currency without a rate left out and counted";

    /// <summary>Equal for equal tables.</summary>
    public string Signature { get; }

    /// <summary>The latest rate of <paramref name="currency"/> (USD per unit; 1 and no rate for USD); null when it has none.</summary>
    public (double UsdPerUnit, FxRate? Rate)? Latest(string currency)
    {
        if (currency == Base)
            return (1.0, null);
        return byCurrency.TryGetValue(currency, out var rates) && rates.Length > 0 ? (rates[^1].UsdPerUnit, rates[^1]) : null;
    }

    /// <summary>
    /// The periods of a currency: start day (int.MinValue for the first), USD per unit, and the
    /// rate behind it (null for USD); null when the currency has no rate at all.
    /// </summary>
    public (int Start, double Usd, FxRate? Rate)[]? Periods(string currency)
    {
        if (currency == Base)
            return [(int.MinValue, 1.0, null)];
        if (!byCurrency.TryGetValue(currency, out var rates) || rates.Length == 0)
            return null;
        var periods = new (int, double, FxRate?)[rates.Length];
        for (var i = 0; i < rates.Length; i++)
            periods[i] = (i == 0 ? int.MinValue : rates[i].Day, rates[i].UsdPerUnit, rates[i]);
        return periods;
    }
}

/// <summary>
/// How values of one currency reach a target currency: the periods where both its rate and the
/// target's hold. A value of day d in period p becomes value × <see cref="SourceUsd"/>[p] ÷
/// <see cref="TargetUsd"/>[p] (<see cref="Convert"/>), in that order of operations.
/// </summary>
public sealed class FxConversion
{
    /// <summary>Period start days; null when either currency has no rate (values cannot be converted).</summary>
    public int[]? Starts { get; private init; }
    public double[] SourceUsd { get; private init; } = [];
    public double[] TargetUsd { get; private init; } = [];
    public RateUsed?[] SourceRate { get; private init; } = [];
    public RateUsed?[] TargetRate { get; private init; } = [];
    private int[]? byDay;
    private int firstDay;

    /// <summary>The plan from <paramref name="source"/> to <paramref name="target"/>; days <paramref name="minDay"/>–<paramref name="maxDay"/> get a lookup table.</summary>
    public static FxConversion Plan(FxTable fx, string source, string target, int minDay, int maxDay)
    {
        var s = fx.Periods(source);
        var t = fx.Periods(target);
        if (s is null || t is null)
            return new FxConversion();
        var starts = s.Select(p => p.Start).Concat(t.Select(p => p.Start)).Distinct().Order().ToArray();
        var plan = new FxConversion
        {
            Starts = starts,
            SourceUsd = new double[starts.Length],
            TargetUsd = new double[starts.Length],
            SourceRate = new RateUsed?[starts.Length],
            TargetRate = new RateUsed?[starts.Length],
        };
        for (var i = 0; i < starts.Length; i++)
        {
            var sp = s[Last(s, starts[i])];
            var tp = t[Last(t, starts[i])];
            plan.SourceUsd[i] = sp.Usd;
            plan.TargetUsd[i] = tp.Usd;
            plan.SourceRate[i] = sp.Rate is { } sr ? new RateUsed(sr.Currency, Days.Date(sr.Day), sr.UsdPerUnit) : null;
            plan.TargetRate[i] = tp.Rate is { } tr ? new RateUsed(tr.Currency, Days.Date(tr.Day), tr.UsdPerUnit) : null;
        }
        // Looking a day up in a table beats a binary search per row on large cuts.
        if (maxDay >= minDay && maxDay - minDay < 1 << 20)
        {
            plan.firstDay = minDay;
            plan.byDay = new int[maxDay - minDay + 1];
            for (var i = 0; i < plan.byDay.Length; i++)
                plan.byDay[i] = plan.Search(minDay + i);
        }
        return plan;
    }

    private static int Last((int Start, double Usd, FxRate? Rate)[] periods, int day)
    {
        var found = 0;
        for (var i = 0; i < periods.Length && periods[i].Start <= day; i++)
            found = i;
        return found;
    }

    private int Search(int day)
    {
        int lo = 0, hi = Starts!.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (Starts[mid] <= day)
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    }

    /// <summary>The period holding <paramref name="day"/> (only when <see cref="Starts"/> is set).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int PeriodOf(int day)
    {
        var at = day - firstDay;
        return byDay is not null && (uint)at < (uint)byDay.Length ? byDay[at] : Search(day);
    }

    /// <summary>A value converted in period <paramref name="period"/>: value × source USD ÷ target USD.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public double Convert(double value, int period) => value * SourceUsd[period] / TargetUsd[period];
}
