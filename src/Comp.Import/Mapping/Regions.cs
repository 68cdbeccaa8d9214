using System.Reflection;
using CsvHelper;

namespace Comp.Import.Mapping;

/// <summary>A region the API is seeded with: <c>us</c>, <c>us-ca</c>, <c>us-ca-sf-bay-area</c>, and its default currency.</summary>
internal sealed record Region(string Code, string Name, string Kind, string Currency)
{
    public bool IsCountry => Kind == "country";

    /// <summary>The country code: the part before the first hyphen.</summary>
    public string Country => Code.Split('-')[0];
}

/// <summary>The API's seeded regions (its <c>regions.csv</c>, embedded at build time).</summary>
internal static class Regions
{
    private static readonly Lazy<IReadOnlyDictionary<string, Region>> All = new(Load);

    public static IReadOnlyDictionary<string, Region> ByCode => All.Value;

    public static bool IsKnown(string code) => ByCode.ContainsKey(code);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> SoleCountries = new(() =>
        ByCode.Values.Where(r => r.IsCountry).GroupBy(r => r.Currency).Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Code, StringComparer.Ordinal));

    /// <summary>The one seeded country whose currency this is (RUB → ru); null for a currency several share (EUR, USD, XOF).</summary>
    public static string? SoleCountryOf(string currency) => SoleCountries.Value.GetValueOrDefault(currency);

    private static IReadOnlyDictionary<string, Region> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Comp.Import.regions.csv")
            ?? throw new InvalidOperationException("The embedded regions.csv is missing.");
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { HasHeader = true }, leaveOpen: false);
        var regions = new Dictionary<string, Region>(StringComparer.Ordinal);
        while (csv.Read())
        {
            var region = new Region(csv.GetString("code"), csv.GetString("name"), csv.GetString("kind"), csv.GetString("currency"));
            regions[region.Code] = region;
        }
        return regions;
    }
}
