namespace Comp.Import.Mapping;

/// <summary>
/// Reads a region from a free-text location such as <c>Madison, Wi</c>, <c>Montreal, QC, Canada</c>,
/// <c>Cardiff, UK</c> or <c>Dallas, Texas, United States</c>: country and subdivision names of the
/// API's seeded regions and common aliases (<c>USA</c>, <c>UK</c>, <c>Holland</c>), US state and
/// Canadian province codes, and the seeded metros' names (<c>Seattle</c>, <c>Paris</c>, <c>Bay Area</c>).
/// </summary>
/// <remarks>
/// <para>Precedence: one non-US country named outright wins (with its subdivision when one is named
/// too); two countries are ambiguous. Otherwise a US state code (<c>MO</c> in <c>Kansas City, MO</c>)
/// beats a state name, several states give <c>us</c>; then a US alias alone gives <c>us</c>; then
/// another country's subdivision (<c>Ontario</c>, <c>Scotland</c>). Two-letter codes count only when
/// written in capitals, alone between commas or slashes, or last (<c>Brick NJ</c>, <c>Madison, Wi</c>),
/// so "in", "or" and "me" in a sentence are words. Country names that are also US towns (Lebanon,
/// Jersey, Mexico, …) do not count when the text also names a US state.</para>
/// <para>A metro name narrows the answer when the metro lies inside it (<c>Seattle, WA</c> is
/// us-wa-seattle; <c>London, Ontario</c> stays ca-on). A city or another country's subdivision named
/// alone is too often shared (Dublin, Ohio; Vancouver, Washington; Ontario, California) to trust, so it
/// counts only when the row is paid in its currency (<c>Paris</c> in EUR is fr-idf-paris;
/// <c>Dublin</c> in USD is nothing).</para>
/// </remarks>
internal sealed class LocationRecogniser
{
    private static readonly (string Phrase, string Code)[] Aliases =
    [
        ("usa", "us"), ("us", "us"), ("u s", "us"), ("u s a", "us"), ("united states of america", "us"), ("the states", "us"),
        ("georgia", "us-ga"), ("washington dc", "us-dc"), ("washington d c", "us-dc"), ("nyc", "us-ny"), ("new york city", "us-ny"),
        ("uk", "gb"), ("u k", "gb"), ("great britain", "gb"), ("britain", "gb"),
        ("holland", "nl"), ("the netherlands", "nl"), ("netherland", "nl"), ("czech republic", "cz"), ("korea", "kr"),
        ("turkey", "tr"), ("uae", "ae"), ("russian federation", "ru"), ("viet nam", "vn"), ("deutschland", "de"),
        ("schweiz", "ch"), ("suisse", "ch"), ("nz", "nz"), ("eire", "ie"), ("republic of ireland", "ie"),
    ];

    /// <summary>Other names of seeded metros.</summary>
    private static readonly (string Phrase, string Code)[] MetroAliases =
    [
        ("san francisco", "us-ca-sf-bay-area"), ("bay area", "us-ca-sf-bay-area"), ("silicon valley", "us-ca-sf-bay-area"),
        ("nyc", "us-ny-new-york"), ("manhattan", "us-ny-new-york"), ("brooklyn", "us-ny-new-york"),
        ("dc", "us-dc-washington"), ("district of columbia", "us-dc-washington"),
        ("bengaluru", "in-ka-bangalore"), ("munchen", "de-by-munich"), ("muenchen", "de-by-munich"),
    ];

    /// <summary>Countries whose names are also US towns: not evidence when a US state is named too.</summary>
    private static readonly HashSet<string> UsTownNames = ["lebanon", "panama", "jordan", "peru", "cuba", "mexico", "china", "poland", "jersey", "chad"];

    // Declared after the tables its constructor reads: static fields initialise in order.
    public static LocationRecogniser Instance { get; } = new();

    private readonly Dictionary<string, string> phrases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> metros = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> usStateCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> provinceCodes = new(StringComparer.Ordinal);
    private readonly int longestPhrase;

    private LocationRecogniser()
    {
        // Aliases first, then countries, then subdivisions: the first claim on a name is kept, so
        // "Georgia" is the state and "Taiwan" the country rather than cn-tw.
        foreach (var (phrase, code) in Aliases)
            phrases.TryAdd(phrase, code);
        foreach (var region in Regions.ByCode.Values.Where(r => r.IsCountry))
            phrases.TryAdd(Key(region.Name), region.Code);
        foreach (var region in Regions.ByCode.Values.Where(r => r.Kind == "subdivision"))
        {
            phrases.TryAdd(Key(region.Name), region.Code);
            var local = region.Code[(region.Country.Length + 1)..];
            if (region.Country == "us" && local.Length == 2 && local != "um")
                usStateCodes[local] = region.Code;
            if (region.Country == "ca" && local.Length == 2)
                provinceCodes[local] = region.Code;
        }
        foreach (var (phrase, code) in MetroAliases)
            metros.TryAdd(Key(phrase), code);
        foreach (var region in Regions.ByCode.Values.Where(r => r.Kind == "metro"))
            metros.TryAdd(Key(region.Name), region.Code);
        longestPhrase = phrases.Keys.Concat(metros.Keys).Max(p => p.Split(' ').Length);
    }

    /// <summary>The region code <paramref name="text"/> names, or null when it names none or is ambiguous.</summary>
    /// <param name="currency">The row's currency, if known: a metro or another country's subdivision named alone counts only when it is paid in it.</param>
    public string? Recognise(string? text, string? currency = null)
    {
        var tokens = Tokenise(text ?? "");
        var place = Place(tokens, currency);
        var metrosNamed = Metros(tokens);
        if (place is not null)
        {
            var inside = metrosNamed.Where(m => m.StartsWith(place + "-", StringComparison.Ordinal)).ToList();
            return inside.Count == 1 ? inside[0] : place;
        }
        var candidates = metrosNamed.Where(m => Regions.ByCode[m].Currency == currency).ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>The country or subdivision the words name, by the precedence in the class remarks.</summary>
    private string? Place(List<Token> tokens, string? currency)
    {
        var named = new List<(string Phrase, string Code)>();
        var stateCodes = new List<string>();
        var provinces = new List<string>();
        for (var i = 0; i < tokens.Count;)
        {
            var length = MatchPhrase(tokens, i, out var phrase, out var code);
            if (length > 0)
            {
                named.Add((phrase, code));
                i += length;
                continue;
            }
            var token = tokens[i];
            if (token.StandsOut && usStateCodes.TryGetValue(token.Text, out var state))
                stateCodes.Add(state);
            else if (token.StandsOut && provinceCodes.TryGetValue(token.Text, out var province))
                provinces.Add(province);
            i++;
        }

        var usStatesNamed = named.Select(n => n.Code).Where(c => c.StartsWith("us-", StringComparison.Ordinal)).Distinct().ToList();
        var usAlias = named.Any(n => n.Code == "us");
        var stateNamed = stateCodes.Count > 0 || usStatesNamed.Count > 0;

        var countries = named.Where(n => IsCountry(n.Code) && n.Code != "us" && !(stateNamed && UsTownNames.Contains(n.Phrase)))
            .Select(n => n.Code).Distinct().ToList();
        var foreignSubdivisions = named.Select(n => n.Code).Where(c => !IsCountry(c) && !c.StartsWith("us-", StringComparison.Ordinal))
            .Concat(provinces).Distinct().ToList();

        if (countries.Count == 1)
            return foreignSubdivisions.FirstOrDefault(s => CountryOf(s) == countries[0]) ?? countries[0];
        if (countries.Count > 1)
            return null;

        var codes = stateCodes.Distinct().ToList();
        if (codes.Count > 0)
            return codes.Count == 1 ? codes[0] : "us";
        if (usStatesNamed.Count > 0)
            return usStatesNamed.Count == 1 ? usStatesNamed[0] : "us";
        if (usAlias)
            return "us";
        // A subdivision named alone is weak evidence ("Dublin" may be Ohio's): it must be paid in its currency.
        foreignSubdivisions = foreignSubdivisions.Where(c => currency is null || Regions.ByCode[c].Currency == currency).ToList();
        if (foreignSubdivisions.Count > 0)
            return foreignSubdivisions.Count == 1 ? foreignSubdivisions[0]
                : foreignSubdivisions.Select(CountryOf).Distinct().Count() == 1 ? CountryOf(foreignSubdivisions[0]) : null;
        return null;
    }

    /// <summary>The seeded metros the words name, anywhere in the text.</summary>
    private List<string> Metros(List<Token> tokens)
    {
        var found = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var length = MatchPhrase(metros, tokens, i, out _, out var code);
            if (length > 0)
            {
                found.Add(code);
                i += length - 1;
            }
        }
        return found.Distinct().ToList();
    }

    private int MatchPhrase(List<Token> tokens, int start, out string phrase, out string code) =>
        MatchPhrase(phrases, tokens, start, out phrase, out code);

    /// <summary>The longest phrase of <paramref name="dictionary"/> starting at word <paramref name="start"/>; its length in words, 0 when none.</summary>
    private int MatchPhrase(Dictionary<string, string> dictionary, List<Token> tokens, int start, out string phrase, out string code)
    {
        for (var length = Math.Min(longestPhrase, tokens.Count - start); length >= 1; length--)
        {
            phrase = string.Join(' ', tokens.Skip(start).Take(length).Select(t => t.Text));
            // A one- or two-letter name ("us", "uk", "dc") is held to the same test as a state code.
            if (dictionary.TryGetValue(phrase, out code!) && (phrase.Length > 2 || tokens[start].StandsOut))
                return length;
        }
        phrase = code = "";
        return 0;
    }

    /// <summary>A name as the words <see cref="Tokenise"/> makes of it: "Côte d'Ivoire" is "cote divoire".</summary>
    private static string Key(string name) => string.Join(' ', Tokenise(name).Select(t => t.Text));

    private static bool IsCountry(string code) => !code.Contains('-');

    private static string CountryOf(string code) => code.Split('-')[0];

    /// <summary>A word of the location, lower-cased and without accents.</summary>
    /// <param name="StandsOut">Written in capitals, alone in its comma- or slash-separated part, or the last word.</param>
    private sealed record Token(string Text, bool StandsOut);

    private static List<Token> Tokenise(string text)
    {
        // Dots and apostrophes join letters ("D.C." is "DC", "U.S.A." is "USA"); other punctuation separates.
        var cleaned = text.Replace(".", "").Replace("'", "").Replace("’", "");
        var tokens = new List<Token>();
        foreach (var part in cleaned.Split([',', '/', ';', '|', '(', ')', '\n', '-', '–', '&']))
        {
            var words = part.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray()))
                .Where(w => w.Length > 0).ToList();
            tokens.AddRange(words.Select(w => new Token(TextFolding.Fold(w), words.Count == 1 || w.All(char.IsUpper))));
        }
        if (tokens.Count > 0)
            tokens[^1] = tokens[^1] with { StandsOut = true };
        return tokens;
    }
}
