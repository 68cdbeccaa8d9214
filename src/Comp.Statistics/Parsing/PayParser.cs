using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Comp.Statistics.Parsing;

/// <summary>
/// Reads a pay figure as people write it: <c>75000</c>, <c>$75,000.00</c>, <c>73 000$</c>,
/// <c>35K</c>, <c>1.2M</c>, <c>60-90K</c>, <c>66000 - 70000</c>, <c>85000.00 -</c>,
/// <c>$40/hour</c>, <c>3000 per month</c>, <c>24,000€</c>, <c>£32,000 pa</c>.
/// </summary>
/// <remarks>
/// <para>The text is: optional hedges (<c>~</c>, <c>about</c>, <c>base pay</c>), an optional currency
/// sign or capitalised ISO code, an amount, optionally <c>-</c>/<c>to</c> and a second amount (a range:
/// its midpoint is taken, and said so in <see cref="ParsedPay.Note"/>), an optional unit
/// (<c>/hr</c>, <c>per month</c>, <c>hourly</c>, <c>pa</c>), an optional currency after. Anything after
/// that (<c>+ bonus</c>, <c>(gross)</c>) is ignored and the note says so; text before the amount is
/// refused, since a figure the writer qualified (<c>under 2,000</c>, <c>varies</c>) is not a salary.</para>
/// <para>Separators: a <c>.</c> or <c>,</c> followed by exactly three digits, after one to three digits,
/// groups thousands (<c>65.000</c> = 65000, <c>1,800,000</c>); followed by one, two or four or more
/// digits it is the decimal point (<c>99.9</c>, <c>125,00</c> = 125). When both appear, the last one
/// is the decimal point and must appear once (<c>75,000.00</c>, <c>45.528,00</c>). Spaces, no-break
/// spaces and apostrophes only group (<c>73 000</c>, <c>100'500</c>). Groups must be three digits,
/// or Indian lakh groups (<c>2,40,000</c>); anything else (<c>91.553.28</c>) is refused as ambiguous.</para>
/// <para><c>K</c>/<c>M</c> on one end of a range applies to the other when that reads as a shorthand:
/// <c>60-90K</c> is 60000–90000, <c>60000-90K</c> stays 60000–90000. A range that runs backwards, or
/// whose top is more than ten times its bottom, is refused.</para>
/// </remarks>
public static partial class PayParser
{
    /// <summary>Below this a year, a figure is a typo or a missing unit, not a salary.</summary>
    public const decimal MinAnnual = 1_000m;

    /// <summary>The API's ceiling for an annual cash amount.</summary>
    public const decimal MaxAnnual = 100_000_000m;

    /// <summary>A range whose top is more than this times its bottom (<c>90-60K</c> read as 90 to 60000) is not one salary.</summary>
    public const decimal MaxRangeRatio = 10m;

    /// <summary>Pay periods in a year: hours of a full-time year (52 × 40), weeks, fortnights, months.</summary>
    public static decimal PeriodsPerYear(PayPeriod period) => period switch
    {
        PayPeriod.Hour => 2080m,
        PayPeriod.Week => 52m,
        PayPeriod.BiWeek => 26m,
        PayPeriod.Month => 12m,
        _ => 1m,
    };

    /// <summary>An amount per <paramref name="period"/> as a yearly amount (Unknown counts as a year).</summary>
    public static decimal Annualise(decimal amount, PayPeriod period) => amount * PeriodsPerYear(period);

    /// <summary>
    /// Reads a unit of pay: <c>Year</c>, <c>Hour</c>, <c>Week</c>, <c>Bi-Weekly</c>, <c>Month</c> (the
    /// H-1B disclosure values) and the ways people write them (<c>hr</c>, <c>per hour</c>, <c>monthly</c>, <c>p.a.</c>).
    /// </summary>
    public static bool TryParseUnit(string? text, out PayPeriod period)
    {
        period = PayPeriod.Unknown;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var key = UnitNoise().Replace(text.ToLowerInvariant(), "");
        foreach (var candidate in new[] { key, WithoutPrefix(key) })
        {
            if (Units.TryGetValue(candidate, out period) ||
                (candidate.Length > 2 && candidate.EndsWith('s') && Units.TryGetValue(candidate[..^1], out period)))
                return true;
        }
        return false;
    }

    private static string WithoutPrefix(string key)
    {
        foreach (var prefix in new[] { "per", "each", "an", "a" })
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length)
                return key[prefix.Length..];
        }
        return key;
    }

    private static readonly Dictionary<string, PayPeriod> Units = new(StringComparer.Ordinal)
    {
        ["hour"] = PayPeriod.Hour, ["hr"] = PayPeriod.Hour, ["h"] = PayPeriod.Hour, ["hourly"] = PayPeriod.Hour, ["ph"] = PayPeriod.Hour,
        ["week"] = PayPeriod.Week, ["wk"] = PayPeriod.Week, ["w"] = PayPeriod.Week, ["weekly"] = PayPeriod.Week, ["pw"] = PayPeriod.Week,
        ["biweekly"] = PayPeriod.BiWeek, ["biweek"] = PayPeriod.BiWeek, ["fortnight"] = PayPeriod.BiWeek, ["fortnightly"] = PayPeriod.BiWeek,
        ["everytwoweeks"] = PayPeriod.BiWeek, ["every2weeks"] = PayPeriod.BiWeek,
        ["month"] = PayPeriod.Month, ["mo"] = PayPeriod.Month, ["mth"] = PayPeriod.Month, ["m"] = PayPeriod.Month, ["monthly"] = PayPeriod.Month, ["pm"] = PayPeriod.Month,
        ["year"] = PayPeriod.Year, ["yr"] = PayPeriod.Year, ["y"] = PayPeriod.Year, ["annum"] = PayPeriod.Year, ["annual"] = PayPeriod.Year,
        ["annually"] = PayPeriod.Year, ["yearly"] = PayPeriod.Year, ["pa"] = PayPeriod.Year,
    };

    /// <inheritdoc cref="TryParse(string?, PayPeriod, out ParsedPay?, out string?)"/>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ParsedPay? pay, [NotNullWhen(false)] out string? error) =>
        TryParse(text, PayPeriod.Unknown, out pay, out error);

    /// <summary>
    /// Reads <paramref name="text"/>. <paramref name="period"/> is the unit the source states
    /// elsewhere (a unit column); a unit in the text itself wins. On failure <paramref name="error"/>
    /// says why in a few words that do not repeat the text ("no amount", "the range runs backwards"),
    /// so reasons can be counted; the caller shows the text beside it.
    /// </summary>
    public static bool TryParse(string? text, PayPeriod period, [NotNullWhen(true)] out ParsedPay? pay, [NotNullWhen(false)] out string? error)
    {
        error = new Reader(text?.Trim().Trim('"', '“', '”') ?? "").Read(period, out pay);
        return error is null;
    }

    /// <summary>Drops trailing zeros (75000.00 → 75000) so the figure is sent as written in the note.</summary>
    private static decimal Normalise(decimal value) => value / 1.0000000000000000000000000000m;

    private static string Format(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A cursor over one pay text.</summary>
    private sealed class Reader(string text)
    {
        private int position;
        private string? currency;
        private bool currencyIsAssumed;
        private readonly List<string> notes = [];

        /// <summary>Null when the text was read into <paramref name="pay"/>; otherwise why not.</summary>
        public string? Read(PayPeriod statedPeriod, out ParsedPay? pay)
        {
            pay = null;
            if (text.Length == 0)
                return "no pay given";

            SkipHedges();
            if (ReadCurrency() is { } currencyError)
                return currencyError;
            SkipHedges();
            if (!Number().Match(text, position).Success)
                return text.Any(char.IsAsciiDigit) ? "unexpected text before the amount" : "no amount";

            var low = ReadAmount(out var error);
            if (error is not null)
                return error;

            Amount? high = null;
            var open = false;
            var beforeRange = position;
            if (Match(RangeSeparator()))
            {
                if (ReadCurrency() is { } rangeCurrencyError)
                    return rangeCurrencyError;
                if (Number().Match(text, position).Success)
                {
                    high = ReadAmount(out error);
                    if (error is not null)
                        return error;
                }
                else if (text.AsSpan(position).IsWhiteSpace())
                    open = true;
                else
                    position = beforeRange;
            }

            var period = statedPeriod;
            var unit = Unit().Match(text, position);
            if (unit.Success && TryParseUnit(unit.Groups["unit"].Value, out var textPeriod))
            {
                period = textPeriod;
                position += unit.Length;
            }
            if (ReadCurrency() is { } lateCurrencyError)
                return lateCurrencyError;

            var (lowValue, highValue) = Scale(low!.Value, high);
            if (highValue < lowValue)
                return "the range runs backwards";
            if (highValue > lowValue * MaxRangeRatio)
                return "the range is too wide to stand for one salary";

            var stated = highValue is null ? lowValue : (lowValue + highValue.Value) / 2;
            if (highValue is not null)
                notes.Insert(0, $"midpoint of {Format(lowValue)}–{Format(highValue.Value)}");
            else if (open)
                notes.Insert(0, $"open range: took its only bound {Format(lowValue)}");

            var annual = Math.Round(Annualise(stated, period), 2, MidpointRounding.AwayFromZero);
            if (period is not (PayPeriod.Year or PayPeriod.Unknown))
                notes.Add($"{Format(stated)} per {Name(period)} x {PeriodsPerYear(period)} = {Format(annual)} a year");

            if (annual <= 0)
                return "the amount is 0";
            if (annual < MinAnnual)
                return period is PayPeriod.Year or PayPeriod.Unknown
                    ? "too little for an annual salary (a unit or K missing?)"
                    : "too little for a salary once annualised";
            if (annual > MaxAnnual)
                return "above 100,000,000 a year once annualised";

            var rest = text[position..].Trim(' ', '.', ',', ';', ':', ')', '(', '"', '\'', '”', '“', '+');
            if (rest.Length > 0)
                notes.Add($"ignored '{(rest.Length <= 40 ? rest : rest[..40] + "…")}'");

            pay = new ParsedPay
            {
                Amount = Normalise(annual),
                StatedAmount = Normalise(stated),
                Period = period,
                Currency = currency,
                CurrencyIsAssumed = currency is not null && currencyIsAssumed,
                WasRange = highValue is not null || open,
                Low = highValue is not null || open ? Normalise(lowValue) : null,
                High = highValue is { } h ? Normalise(h) : null,
                Note = notes.Count == 0 ? null : string.Join("; ", notes),
            };
            return null;
        }

        private readonly record struct Amount(decimal Value, decimal Multiplier);

        private Amount? ReadAmount(out string? error)
        {
            var match = Number().Match(text, position);
            position += match.Length;
            if (!TryReadNumber(match.Value, out var value))
            {
                error = "ambiguous thousands and decimal separators";
                return null;
            }

            var multiplier = 1m;
            var suffix = Multiplier().Match(text, position);
            if (suffix.Success)
            {
                multiplier = suffix.Groups["thousand"].Success ? 1_000m : 1_000_000m;
                position += suffix.Length;
            }
            error = ReadCurrency();
            return new Amount(value, multiplier);
        }

        /// <summary>A K or M on one end of a range covers the other when that end reads as shorthand.</summary>
        private static (decimal Low, decimal? High) Scale(Amount low, Amount? high)
        {
            if (high is not { } h)
                return (low.Value * low.Multiplier, null);
            var lowMultiplier = low.Multiplier;
            var highMultiplier = h.Multiplier;
            if (lowMultiplier == 1 && highMultiplier > 1 && low.Value <= h.Value)
                lowMultiplier = highMultiplier;      // 60-90K
            else if (highMultiplier == 1 && lowMultiplier > 1 && h.Value < low.Value * lowMultiplier)
                highMultiplier = lowMultiplier;      // 60K-90
            return (low.Value * lowMultiplier, h.Value * highMultiplier);
        }

        /// <summary>Reads a currency sign or code at the cursor, if any; an error if it contradicts one already read.</summary>
        private string? ReadCurrency()
        {
            var start = position;
            while (start < text.Length && char.IsWhiteSpace(text[start]))
                start++;
            if (!CurrencyText.TryMatchSign(text, start, out var length, out var code, out var assumed))
                return null;
            position = start + length;
            while (position < text.Length && char.IsWhiteSpace(text[position]))
                position++;
            if (code is null)
            {
                notes.Add($"'{text.Substring(start, length)}' names several currencies");
                return null;
            }
            if (currency is null || (currencyIsAssumed && !assumed))
            {
                currency = code;
                currencyIsAssumed = assumed;
            }
            else if (currency != code && !assumed)
                return "names two currencies";
            return null;
        }

        private void SkipHedges()
        {
            while (Match(Hedge()))
            {
            }
        }

        private bool Match(Regex regex)
        {
            var match = regex.Match(text, position);
            if (!match.Success || match.Length == 0)
                return false;
            position += match.Length;
            return true;
        }
    }

    private static string Name(PayPeriod period) => period switch
    {
        PayPeriod.Hour => "hour",
        PayPeriod.Week => "week",
        PayPeriod.BiWeek => "two weeks",
        PayPeriod.Month => "month",
        _ => "year",
    };

    /// <summary>Reads a number token of <see cref="Number"/> by the separator rules in the class remarks.</summary>
    internal static bool TryReadNumber(string token, out decimal value)
    {
        value = 0;
        var t = token.Replace(", ", ",", StringComparison.Ordinal).Replace('\u00A0', ' ').Replace('\u202F', ' ').Replace('’', '\'');
        var separators = t.Where(c => !char.IsAsciiDigit(c)).Distinct().ToList();
        if (separators.Count == 0)
            return decimal.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        var lastIndex = t.LastIndexOfAny(['.', ',', ' ', '\'']);
        var last = t[lastIndex];
        var digitsAfter = t.Length - lastIndex - 1;
        var isDecimalPoint = (last is '.' or ',') && t.Count(c => c == last) == 1 && (separators.Count > 1 || digitsAfter != 3 || lastIndex > 3);
        if (separators.Count > (isDecimalPoint ? 2 : 1))
            return false;

        var whole = isDecimalPoint ? t[..lastIndex] : t;
        var fraction = isDecimalPoint ? t[(lastIndex + 1)..] : "";
        var groups = whole.Split(['.', ',', ' ', '\'']);
        var thousands = groups.Skip(1).All(g => g.Length == 3) && groups[0].Length is >= 1 and <= 3;
        var lakhs = whole.Contains(',') && groups.Length > 2 && groups[^1].Length == 3 && groups[0].Length is 1 or 2 &&
            groups[1..^1].All(g => g.Length == 2);
        if (groups.Length > 1 && !thousands && !lakhs)
            return false;
        var digits = string.Concat(groups) + (fraction.Length > 0 ? "." + fraction : "");
        return decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    // Digits with separators: a space (or ", ") only before a three-digit group, so "66000 - 70000" is two numbers.
    [GeneratedRegex(@"\G\d+(?:(?:[ \u00A0\u202F]|, )\d{3}(?!\d)|[.,'’]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\G ?(?:(?<thousand>k|thousand)|(?<million>m|mm|mil|million))(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Multiplier();

    [GeneratedRegex(@"\G\s*(?:-|–|—|\bto\b)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex RangeSeparator();

    [GeneratedRegex(@"\G\s*(?:~|≈|approx(?:imately|\.)?|appx\.?|about|around|roughly|circa|(?:annual\s+)?(?:base\s+)?(?:pay|salary)|base)(?![a-z])\s*:?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Hedge();

    [GeneratedRegex(
        @"\G\s*(?:(?:/|\bper\b|\ban?\b|\beach\b)\s*(?<unit>hours?|hrs?|h|weeks?|wks?|w|fortnights?|months?|mos?|mths?|m|years?|yrs?|y|annum)" +
        @"|(?<unit>hourly|weekly|bi-?weekly|every\s+(?:two|2)\s+weeks|fortnightly|monthly|yearly|annually|annual|p\.a\.?|pa|p/h|ph|p/w|pw|p/m|hour|week|month|year))(?![a-z])",
        RegexOptions.IgnoreCase)]
    private static partial Regex Unit();

    [GeneratedRegex(@"[\s./\-_]")]
    private static partial Regex UnitNoise();
}
