using System.Text;

namespace Comp.Import.Mapping;

/// <summary>The API's fixed values and formats a mapped datapoint must use, checked before sending.</summary>
internal static class Vocabulary
{
    /// <summary>The fixed values of <c>source</c> (SPEC §1).</summary>
    public static readonly IReadOnlySet<string> Sources = new HashSet<string>(StringComparer.Ordinal)
    {
        "self_reported", "offer_letter", "employer_survey", "public_filing", "press_report", "aggregator",
    };

    public static bool IsLevel(string value) => value is ['L', >= '1' and <= '9'];

    public const int MaxSlugLength = 100;
    public const int MaxEmployerNameLength = 200;
    public const int MaxSourceNoteLength = 500;

    /// <summary>
    /// An employer slug from a name: lower case, apostrophes dropped ("Landry's" is "landrys"),
    /// every other run of non-alphanumerics one hyphen, trimmed, at most 100 characters. Empty when
    /// the name has no letters or digits.
    /// </summary>
    public static string Slugify(string name)
    {
        var folded = TextFolding.Fold(name.Replace("'", "").Replace("’", ""));
        var slug = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsAsciiLetterOrDigit(c))
                slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-')
                slug.Append('-');
        }
        var text = slug.ToString();
        if (text.Length > MaxSlugLength)
            text = text[..MaxSlugLength];
        return text.Trim('-');
    }
}
