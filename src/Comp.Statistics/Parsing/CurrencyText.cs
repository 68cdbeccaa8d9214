namespace Comp.Statistics.Parsing;

/// <summary>
/// Recognises a currency in what people type: ISO codes (<c>EUR</c>, <c>sgd</c>), signs
/// (<c>€</c>, <c>C$</c>) and common names (<c>Indian Rupees</c>, <c>Polish Zloty</c>).
/// </summary>
public static class CurrencyText
{
    /// <summary>A currency sign or code in pay text, longest first so <c>US$</c> wins over <c>$</c>.</summary>
    /// <remarks>A null code marks a sign shared by several currencies: ¥ is JPY or CNY, kr any of SEK, NOK, DKK, ISK, Rs any rupee.</remarks>
    private static readonly (string Sign, string? Code)[] Signs =
    [
        ("US$", "USD"), ("CA$", "CAD"), ("AU$", "AUD"), ("NZ$", "NZD"), ("HK$", "HKD"), ("NT$", "TWD"),
        ("C$", "CAD"), ("A$", "AUD"), ("S$", "SGD"), ("R$", "BRL"),
        ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("₩", "KRW"), ("₪", "ILS"), ("¥", null), ("kr", null), ("Rs.", null), ("Rs", null),
    ];

    /// <summary>Names and abbreviations people use instead of the ISO code, matched as whole words.</summary>
    private static readonly (string Name, string Code)[] Names =
    [
        ("us dollar", "USD"), ("canadian", "CAD"), ("australian", "AUD"), ("new zealand", "NZD"),
        ("singapore dollar", "SGD"), ("hong kong dollar", "HKD"), ("taiwan dollar", "TWD"), ("ntd", "TWD"),
        ("trinidad and tobago dollar", "TTD"), ("bermuda dollar", "BMD"), ("barbados", "BBD"), ("bds", "BBD"),
        ("euro", "EUR"), ("euros", "EUR"), ("sterling", "GBP"), ("british pound", "GBP"),
        ("indian rupee", "INR"), ("indian rupees", "INR"), ("sri lanka rupee", "LKR"), ("sri lankan rupee", "LKR"),
        ("korean won", "KRW"), ("israeli shekel", "ILS"), ("israeli shekels", "ILS"), ("shekel", "ILS"), ("shekels", "ILS"),
        ("mexican peso", "MXN"), ("mexican pesos", "MXN"), ("philippine peso", "PHP"), ("philippine pesos", "PHP"),
        ("argentinian peso", "ARS"), ("argentinian pesos", "ARS"), ("argentine peso", "ARS"), ("argentine pesos", "ARS"),
        ("polish zloty", "PLN"), ("zloty", "PLN"), ("norwegian crown", "NOK"), ("norwegian crowns", "NOK"), ("norwegian krone", "NOK"),
        ("swedish krona", "SEK"), ("swedish kronor", "SEK"), ("danish krone", "DKK"), ("dkr", "DKK"), ("icelandic krona", "ISK"),
        ("turkish lira", "TRY"), ("brazilian real", "BRL"), ("brazilian reais", "BRL"), ("rupiah", "IDR"),
        ("malaysian ringgit", "MYR"), ("ringgit", "MYR"), ("bahrain dinar", "BHD"), ("bahrain dinars", "BHD"),
        ("omani rial", "OMR"), ("omani riyal", "OMR"), ("omani riyals", "OMR"), ("kenya shilling", "KES"), ("kenya shillings", "KES"),
        ("swiss franc", "CHF"), ("swiss francs", "CHF"), ("yen", "JPY"), ("yuan", "CNY"), ("renminbi", "CNY"), ("rmb", "CNY"),
        ("rand", "ZAR"),
    ];

    /// <summary>
    /// The ISO code named by a currency field's text: the whole text as a code in any case
    /// (<c>Aud</c>), a code in capitals or in brackets inside it (<c>INR - Indian Rupees</c>,
    /// <c>Singapore dollars (Sgd)</c>), a sign (<c>€</c>), or a known name (<c>Polish Zloty</c>).
    /// Text naming several codes gives the first (<c>AUD/NZD</c> is AUD); ambiguous text
    /// (<c>Dollars</c>, <c>Rupees</c>) gives false.
    /// </summary>
    public static bool TryRecognise(string? text, out string code)
    {
        code = "";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
            return false;

        var whole = trimmed.ToUpperInvariant();
        if (Currencies.IsKnown(whole))
            return Found(whole, out code);

        foreach (var word in Words(trimmed))
        {
            var upper = word.Text.ToUpperInvariant();
            if ((word.Text == upper || word.InBrackets) && Currencies.IsKnown(upper))
                return Found(upper, out code);
        }

        foreach (var (sign, signCode) in Signs)
        {
            if (signCode is not null && trimmed == sign)
                return Found(signCode, out code);
        }

        var lower = " " + string.Join(' ', Words(trimmed).Select(w => w.Text.ToLowerInvariant())) + " ";
        foreach (var (name, nameCode) in Names)
        {
            if (lower.Contains(" " + name + " ", StringComparison.Ordinal))
                return Found(nameCode, out code);
        }
        return false;
    }

    /// <summary>
    /// Matches a currency sign or a capitalised ISO code at <paramref name="start"/> of pay text.
    /// <paramref name="code"/> is null for a sign several currencies share (¥, kr).
    /// </summary>
    internal static bool TryMatchSign(string text, int start, out int length, out string? code, out bool assumed)
    {
        foreach (var (sign, signCode) in Signs)
        {
            if (string.CompareOrdinal(text, start, sign, 0, sign.Length) == 0 && !LetterFollows(text, start + sign.Length, sign))
            {
                length = sign.Length;
                code = signCode;
                assumed = sign == "$";
                return true;
            }
        }

        // A three-letter ISO code in capitals, standing alone: "USD 75,000", "65.000 EUR".
        if (start + 3 <= text.Length && !(start > 0 && char.IsLetter(text[start - 1])) && !LetterFollows(text, start + 3, "ABC"))
        {
            var candidate = text.Substring(start, 3);
            if (candidate.All(char.IsAsciiLetterUpper) && Currencies.IsKnown(candidate))
            {
                length = 3;
                code = candidate;
                assumed = false;
                return true;
            }
        }

        length = 0;
        code = null;
        assumed = false;
        return false;
    }

    // "kr" and codes must end a word ("krona" is not "kr"); signs such as "$" may touch letters ("$40k").
    private static bool LetterFollows(string text, int index, string sign) =>
        char.IsLetter(sign[^1]) && index < text.Length && char.IsLetter(text[index]);

    private static bool Found(string value, out string code)
    {
        code = value;
        return true;
    }

    private readonly record struct Word(string Text, bool InBrackets);

    private static IEnumerable<Word> Words(string text)
    {
        var depth = 0;
        var start = -1;
        var bracketed = false;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetter(c))
            {
                if (start < 0)
                {
                    start = i;
                    bracketed = depth > 0;
                }
                continue;
            }
            if (start >= 0)
            {
                yield return new Word(text[start..i], bracketed);
                start = -1;
            }
            if (c == '(')
                depth++;
            else if (c == ')' && depth > 0)
                depth--;
        }
    }
}
