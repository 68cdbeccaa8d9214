namespace Comp.Api.Features.Bands.Index;

/// <summary>One FX rate: USD per unit of the currency from <see cref="Day"/> (days since 2000-01-01) on.</summary>
internal readonly record struct FxRate(string Currency, int Day, double UsdPerUnit);

/// <summary>
/// The FX table as SPEC §3 applies it: each rate holds from its date until the next rate of its
/// currency, the earliest also before its date; USD is the base, 1, and names no rate.
/// </summary>
internal sealed class FxTable
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

    /// <summary>Equal for equal tables: the index skips rebuilding nothing.</summary>
    public string Signature { get; }

    /// <summary>
    /// The periods of a currency: start day (int.MinValue for the first), USD per unit, and the
    /// rate behind it (null for USD); null when the currency has no rate at all.
    /// </summary>
    public (int Start, double Usd, FxRate? Rate)[]? Periods(string currency)
    {
        if (currency == "USD")
            return [(int.MinValue, 1.0, null)];
        if (!byCurrency.TryGetValue(currency, out var rates) || rates.Length == 0)
            return null;
        var periods = new (int, double, FxRate?)[rates.Length];
        for (var i = 0; i < rates.Length; i++)
            periods[i] = (i == 0 ? int.MinValue : rates[i].Day, rates[i].UsdPerUnit, rates[i]);
        return periods;
    }
}
