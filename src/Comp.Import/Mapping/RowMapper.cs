using System.Globalization;
using System.Text.RegularExpressions;
using Comp.Client;
using Comp.Import.Reading;
using Comp.Statistics;
using Comp.Statistics.Parsing;

namespace Comp.Import.Mapping;

/// <summary>Why a row, or one field of it, could not be used.</summary>
/// <param name="Value">The source text at fault, quoted in the reject file; null when there is none.</param>
internal sealed record RowError(string Field, string Reason, string? Value = null)
{
    /// <summary>The field and reason without the value: what reject reasons are counted by.</summary>
    public string Kind => $"{Field}: {Reason}";

    public override string ToString() => Value is null ? Kind : $"{Kind}: \"{Value}\"";
}

/// <summary>A row mapped to a datapoint, or the reasons it could not be.</summary>
internal sealed record MapResult(DatapointRequest? Datapoint, IReadOnlyList<RowError> Errors, ParsedPay? Pay);

/// <summary>
/// Turns source rows into datapoints by a <see cref="MappingFile"/>. Each field is resolved in one
/// order: the first matching rule, then the field's column(s) read as that field reads them, then
/// the constant. A row with any field that cannot be resolved is rejected with every reason.
/// </summary>
internal sealed class RowMapper
{
    /// <summary>The package fields of issue 17: read from a column or a constant, as the API spells them (schedules as text, e.g. <c>33/33/22/12</c>).</summary>
    private static readonly string[] PackageFields = ["equityBasis", "packageType", "equityVestingSchedule", "retentionVestingSchedule"];

    private static readonly string[] ColumnFields =
        ["employer", "role", "level", "employerLevel", "region", "currency", "effectiveDate", "baseSalary", "baseSalaryTo", "baseSalaryUnit", .. PackageFields];

    private static readonly string[] ConstantFields =
        ["employer", "employerName", "role", "level", "employerLevel", "region", "currency", "effectiveDate", "source", "sourceNote", .. PackageFields];

    private static readonly string[] RuleFields = ["role", "region", "currency", "level"];

    private static readonly DateOnly EarliestDate = new(1970, 1, 1);

    private readonly MappingFile mapping;
    private readonly DateOnly today;
    private readonly Dictionary<string, List<Rule>> rules;

    /// <param name="today">The last effective date allowed (the API refuses dates in the future).</param>
    public RowMapper(MappingFile mapping, DateOnly today)
    {
        this.mapping = mapping;
        this.today = today;
        Validate(mapping);
        rules = mapping.Rules.ToDictionary(r => r.Key, r => r.Value.Select(spec => Compile(r.Key, spec)).ToList());
    }

    /// <summary>Every source column the mapping reads, to check against the file's header before reading rows.</summary>
    public IReadOnlySet<string> SourceColumns =>
        mapping.Columns.Values.SelectMany(c => c.Items).Concat(rules.Values.SelectMany(r => r).SelectMany(r => r.Tests.Select(t => t.Column))).ToHashSet();

    public MapResult Map(SourceRow row)
    {
        if (row.ReadError is not null)
            return new MapResult(null, [new RowError("row", row.ReadError)], null);

        var errors = new List<RowError>();
        var (employer, employerName) = Employer(row, errors);
        var pay = Pay(row, errors);
        var currency = Currency(row, pay, errors);
        var region = Region(row, currency, errors);
        var role = Role(row, errors);
        var level = Level(row, errors);
        var effectiveDate = EffectiveDate(row, errors);
        var equityBasis = Fixed("equityBasis", row, EquityBases.All, errors);
        var packageType = Fixed("packageType", row, PackageTypes.All, errors);
        var equitySchedule = Schedule("equityVestingSchedule", row, errors);
        var retentionSchedule = Schedule("retentionVestingSchedule", row, errors);
        if (errors.Count > 0)
            return new MapResult(null, errors, pay);

        return new MapResult(new DatapointRequest
        {
            Employer = employer,
            EmployerName = employerName,
            Role = role,
            Level = level,
            EmployerLevel = NonEmpty(First(row, "employerLevel")) ?? Constant("employerLevel"),
            Region = region,
            Currency = currency,
            EffectiveDate = effectiveDate,
            BaseSalary = pay!.Amount,
            Source = Constant("source"),
            SourceNote = SourceNote(pay),
            EquityBasis = equityBasis,
            PackageType = packageType,
            EquityVestingSchedule = equitySchedule,
            RetentionVestingSchedule = retentionSchedule,
        }, [], pay);
    }

    /// <summary>A value of a fixed vocabulary from the field's column (any case, spaces or hyphens for underscores), else the constant; null when neither gives one.</summary>
    private string? Fixed(string field, SourceRow row, IReadOnlyList<string> values, List<RowError> errors)
    {
        var text = First(row, field);
        if (text.Length == 0)
            return Constant(field);
        var value = text.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        if (values.Contains(value))
            return value;
        errors.Add(new RowError(field, $"not one of {string.Join(", ", values)}", text));
        return null;
    }

    /// <summary>A vesting schedule from the field's column (<c>33/33/22/12</c>, <c>[5, 15, 40, 40]</c>), else the constant.</summary>
    private decimal[]? Schedule(string field, SourceRow row, List<RowError> errors)
    {
        var text = NonEmpty(First(row, field)) ?? Constant(field);
        if (text is null)
            return null;
        if (Vesting.TryParse(text, out var schedule, out var error))
            return schedule;
        errors.Add(new RowError(field, error!.TrimEnd('.'), text));
        return null;
    }

    private (string? Slug, string? Name) Employer(SourceRow row, List<RowError> errors)
    {
        var name = First(row, "employer");
        if (name.Length == 0)
        {
            if (Constant("employer") is { } constant)
                return (constant, Constant("employerName"));
            errors.Add(new RowError("employer", "no employer name"));
            return (null, null);
        }
        var slug = Vocabulary.Slugify(name);
        if (slug.Length == 0)
            errors.Add(new RowError("employer", "no letters or digits in the employer name", name));
        return (slug, name.Length <= Vocabulary.MaxEmployerNameLength ? name : name[..Vocabulary.MaxEmployerNameLength]);
    }

    private ParsedPay? Pay(SourceRow row, List<RowError> errors)
    {
        var text = First(row, "baseSalary");
        if (Has("baseSalaryTo"))
        {
            // A separate upper bound: zero or blank means the range is open (H-1B LCA "To" columns).
            var to = First(row, "baseSalaryTo");
            text = decimal.TryParse(to, NumberStyles.Number, CultureInfo.InvariantCulture, out var high) && high > 0
                ? $"{text} - {to}"
                : $"{text} -";
        }

        var period = PayPeriod.Unknown;
        var unit = First(row, "baseSalaryUnit");
        if (unit.Length > 0 && !PayParser.TryParseUnit(unit, out period))
        {
            errors.Add(new RowError("baseSalaryUnit", "unknown pay unit", unit));
            return null;
        }
        if (PayParser.TryParse(text, period, out var pay, out var error))
            return pay;
        errors.Add(new RowError("baseSalary", error, text));
        return null;
    }

    private string? Currency(SourceRow row, ParsedPay? pay, List<RowError> errors)
    {
        var currency = FromRules("currency", row)
            ?? Values(row, "currency").Select(v => CurrencyText.TryRecognise(v, out var code) ? code : null).FirstOrDefault(c => c is not null)
            ?? (pay is { CurrencyIsAssumed: false } ? pay.Currency : null)
            ?? Constant("currency");
        if (currency is null)
        {
            errors.Add(new RowError("currency", "no currency recognised", NonEmpty(First(row, "currency"))));
            return null;
        }
        if (pay is { Currency: { } stated, CurrencyIsAssumed: false } && stated != currency)
        {
            errors.Add(new RowError("currency", $"the salary is in {stated} but the currency is {currency}", First(row, "baseSalary")));
            return null;
        }
        return currency;
    }

    private string? Region(SourceRow row, string? currency, List<RowError> errors)
    {
        if (FromRules("region", row) is { } ruled)
            return ruled;

        var value = First(row, "region");
        if (value.Length > 0 && mapping.RegionFormat == "code")
        {
            var code = mapping.RegionPrefix + value.ToLowerInvariant();
            if (Regions.IsKnown(code))
                return code;
            errors.Add(new RowError("region", "not a region code the API is seeded with", code));
            return null;
        }
        if (value.Length > 0 && LocationRecogniser.Instance.Recognise(value, currency) is { } recognised)
            return recognised;
        if (currency is not null && mapping.RegionFromCurrency is { } byCurrency &&
            (byCurrency.GetValueOrDefault(currency) ?? Regions.SoleCountryOf(currency)) is { } country)
            return country;
        if (Constant("region") is { } constant)
            return constant;

        if (currency is null && errors.Any(e => e.Field == "currency"))
            return null;   // the currency error is the reason; a place it would have given is not another
        var reason = value.Length == 0 ? "no location" : "location not recognised";
        if (currency is not null && mapping.RegionFromCurrency is not null)
            reason += $", and {currency} is the currency of several countries";
        errors.Add(new RowError("region", reason, NonEmpty(value)));
        return null;
    }

    private string? Role(SourceRow row, List<RowError> errors)
    {
        // Never the title itself, even when it reads like a role slug: "Designer" at a publisher is not a product designer.
        var title = First(row, "role");
        var role = FromRules("role", row) ?? Constant("role");
        if (role is null)
            errors.Add(title.Length == 0 ? new RowError("role", "no job title") : new RowError("role", "no role rule matches the title", title));
        return role;
    }

    private string? Level(SourceRow row, List<RowError> errors)
    {
        var value = First(row, "level");
        var level = FromRules("level", row) ?? (Vocabulary.IsLevel(value) ? value : null) ?? Constant("level");
        if (level is null && value.Length > 0)
            errors.Add(new RowError("level", "no level rule matches", value));
        return level;
    }

    private DateOnly? EffectiveDate(SourceRow row, List<RowError> errors)
    {
        var value = First(row, "effectiveDate");
        DateOnly date;
        if (value.Length > 0)
        {
            if (!TryParseDate(value, mapping.DateFormats, out date))
            {
                errors.Add(new RowError("effectiveDate", $"not a date in the format {string.Join(" or ", mapping.DateFormats)}", value));
                return null;
            }
        }
        else if (Constant("effectiveDate") is { } constant)
            date = DateOnly.ParseExact(constant, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        else
        {
            errors.Add(new RowError("effectiveDate", "no date"));
            return null;
        }

        if (date > today)
            errors.Add(new RowError("effectiveDate", "in the future", value));
        else if (date < EarliestDate)
            errors.Add(new RowError("effectiveDate", "before 1970", value));
        return date;
    }

    /// <summary>The mapping's note, then what the pay parser did ("pay: midpoint of 60000–90000").</summary>
    private string? SourceNote(ParsedPay pay)
    {
        var note = string.Join("; ", new[] { Constant("sourceNote"), pay.Note is null ? null : "pay: " + pay.Note }.Where(n => n is not null));
        return note.Length == 0 ? null : note.Length <= Vocabulary.MaxSourceNoteLength ? note : note[..(Vocabulary.MaxSourceNoteLength - 1)] + "…";
    }

    internal static bool TryParseDate(string value, IEnumerable<string> formats, out DateOnly date)
    {
        foreach (var format in formats)
        {
            // A year alone (ai-jobs "work_year") is taken as the middle of that year.
            if (format == "yyyy" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999)
            {
                date = new DateOnly(year, 7, 1);
                return true;
            }
            if (DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
            {
                date = DateOnly.FromDateTime(parsed);
                return true;
            }
        }
        date = default;
        return false;
    }

    // ---- Columns, rules and constants ----

    private bool Has(string field) => mapping.Columns.ContainsKey(field);

    private IEnumerable<string> Values(SourceRow row, string field) =>
        mapping.Columns.TryGetValue(field, out var columns) ? columns.Items.Select(row.Get).Where(v => v.Length > 0) : [];

    /// <summary>The first non-blank value among the field's columns; empty when there is none.</summary>
    private string First(SourceRow row, string field) => Values(row, field).FirstOrDefault() ?? "";

    private string? Constant(string field) => mapping.Constants.TryGetValue(field, out var value) ? value : null;

    private string? FromRules(string field, SourceRow row) =>
        rules.TryGetValue(field, out var list) ? list.FirstOrDefault(r => r.Matches(row))?.Value : null;

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;

    private sealed record Rule(IReadOnlyList<(string Column, Regex Regex)> Tests, string Value)
    {
        public bool Matches(SourceRow row) => Tests.All(t => t.Regex.IsMatch(row.Get(t.Column)));
    }

    private Rule Compile(string field, RuleSpec spec)
    {
        var tests = new List<(string, Regex)>();
        if (spec.Pattern is not null)
            tests.Add((mapping.Columns[field].Items[0], CompileRegex(field, spec.Pattern)));
        tests.AddRange(spec.Match.Select(m => (m.Key, CompileRegex(field, m.Value))));
        return new Rule(tests, spec.Value);
    }

    private static Regex CompileRegex(string field, string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new MappingException($"A {field} rule's pattern /{pattern}/ is not a valid regular expression: {e.Message}");
        }
    }

    // ---- Checking the mapping ----

    private static void Validate(MappingFile mapping)
    {
        var problems = new List<string>();
        void Unknown(IEnumerable<string> keys, string[] allowed, string what) =>
            problems.AddRange(keys.Where(k => !allowed.Contains(k)).Select(k => $"unknown {what} field '{k}' (known: {string.Join(", ", allowed)})"));

        Unknown(mapping.Columns.Keys, ColumnFields, "columns");
        Unknown(mapping.Constants.Keys, ConstantFields, "constants");
        Unknown(mapping.Rules.Keys, RuleFields, "rules");

        if (mapping.Format is not ("csv" or "ndjson"))
            problems.Add($"format must be csv or ndjson, not '{mapping.Format}'");
        if (mapping.Delimiter.Length != 1)
            problems.Add($"delimiter must be one character, not '{mapping.Delimiter}'");
        if (mapping.RegionFormat is not ("code" or "location"))
            problems.Add($"regionFormat must be code or location, not '{mapping.RegionFormat}'");
        if (mapping.Columns.Values.Any(c => c.Items.Count == 0))
            problems.Add("a column list is empty");
        if (mapping.DateFormats.Count == 0)
            problems.Add("dateFormats is empty");

        bool Given(string field) => mapping.Columns.ContainsKey(field) || mapping.Constants.ContainsKey(field) || mapping.Rules.ContainsKey(field);
        if (!mapping.Columns.ContainsKey("baseSalary"))
            problems.Add("columns must name the baseSalary column");
        foreach (var field in new[] { "employer", "role", "region", "effectiveDate", "source" }.Where(f => !Given(f)))
            problems.Add($"nothing gives {field}: name a column or a constant");
        foreach (var field in mapping.Rules.Where(r => r.Value.Any(spec => spec.Pattern is not null) && !mapping.Columns.ContainsKey(r.Key)).Select(r => r.Key))
            problems.Add($"{field} rules use 'pattern' but columns names no {field} column to test");
        foreach (var field in mapping.Rules.Where(r => r.Value.Any(spec => spec.Pattern is null && spec.Match.Count == 0)).Select(r => r.Key))
            problems.Add($"a {field} rule has neither 'pattern' nor 'match'");

        // Constants and rule values are sent as they are: check them now rather than on every row.
        var values = mapping.Constants.Select(c => (c.Key, c.Value))
            .Concat(mapping.Rules.SelectMany(r => r.Value.Select(spec => (r.Key, spec.Value))))
            .Concat((mapping.RegionFromCurrency ?? []).SelectMany(p => new[] { ("currency", p.Key), ("region", p.Value) }));
        foreach (var (field, value) in values)
        {
            var problem = field switch
            {
                "employer" when Vocabulary.Slugify(value) != value => "is not a slug of lower-case letters, digits and single hyphens",
                "role" when Vocabulary.Slugify(value) != value => "is not a role slug",
                "region" when !Regions.IsKnown(value) => "is not a region the API is seeded with",
                "currency" when !Currencies.IsKnown(value) => "is not an ISO 4217 code in capitals",
                "level" when !Vocabulary.IsLevel(value) => "is not a ladder level L1–L9",
                "source" when !Vocabulary.Sources.Contains(value) => $"is not one of {string.Join(", ", Vocabulary.Sources)}",
                "effectiveDate" when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => "is not a yyyy-MM-dd date",
                "equityBasis" when !EquityBases.IsKnown(value) => $"is not one of {string.Join(", ", EquityBases.All)}",
                "packageType" when !PackageTypes.IsKnown(value) => $"is not one of {string.Join(", ", PackageTypes.All)}",
                "equityVestingSchedule" or "retentionVestingSchedule" when !Vesting.TryParse(value, out _, out var error) => $"is not a vesting schedule: {error}",
                _ => null,
            };
            if (problem is not null)
                problems.Add($"{field} '{value}' {problem}");
        }

        if (problems.Count > 0)
            throw new MappingException("The mapping is not usable:\n  " + string.Join("\n  ", problems));
    }
}
