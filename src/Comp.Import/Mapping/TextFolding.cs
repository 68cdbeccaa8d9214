using System.Text;

namespace Comp.Import.Mapping;

internal static class TextFolding
{
    /// <summary>Lower case without accents ("Zürich" is "zurich"). InvariantGlobalization has no Unicode decomposition, so a table does it.</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c == 'ß')
                builder.Append("ss");
            else
                builder.Append(Unaccented.TryGetValue(c, out var plain) ? plain : c);
        }
        return builder.ToString();
    }

    private static readonly Dictionary<char, char> Unaccented = new[]
    {
        ("àáâãäåā", 'a'), ("çćč", 'c'), ("èéêëēě", 'e'), ("ìíîïī", 'i'), ("ñńň", 'n'), ("òóôõöøō", 'o'),
        ("ùúûüū", 'u'), ("ýÿ", 'y'), ("šś", 's'), ("žźż", 'z'), ("ł", 'l'), ("ř", 'r'), ("ť", 't'), ("ď", 'd'),
    }.SelectMany(p => p.Item1.Select(c => (c, p.Item2))).ToDictionary(p => p.c, p => p.Item2);
}
