using Comp.Import.Mapping;
using Comp.Import.Reading;

namespace Comp.Import.Tests.Mapping;

/// <summary>How a mapping file is checked, and the rules every row goes through whatever the file.</summary>
public sealed class RowMapperTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 1, 1);
    private readonly Importing.TempFolder temp = new();

    private const string Valid = """
        {
          "columns": { "employer": "company", "role": "title", "baseSalary": "pay", "region": "state", "effectiveDate": "date" },
          "regionPrefix": "us-",
          "constants": { "currency": "USD", "source": "self_reported" },
          "rules": { "role": [ { "pattern": "engineer", "value": "software-engineer" } ] }
        }
        """;

    private MappingFile Load(string json) => MappingFile.Load(temp.Write("mapping.json", json));

    private string Problem(string json) => Assert.Throws<MappingException>(() => new RowMapper(Load(json), Today)).Message;

    private static SourceRow Row(string company = "Acme", string title = "Engineer", string pay = "100000", string state = "CA", string date = "2024-01-02") =>
        new(2, "raw", new Dictionary<string, string> { ["company"] = company, ["title"] = title, ["pay"] = pay, ["state"] = state, ["date"] = date });

    [Fact]
    public void An_unknown_key_in_a_mapping_file_is_refused()
    {
        var message = Assert.Throws<MappingException>(() => Load(Valid.Replace("\"columns\"", "\"colums\""))).Message;
        Assert.Contains("colums", message);
    }

    [Theory]
    [InlineData("\"role\": \"title\"", "\"salary\": \"title\"", "unknown columns field 'salary'")]
    [InlineData("\"source\": \"self_reported\"", "\"source\": \"blog\"", "source 'blog' is not one of")]
    [InlineData("\"currency\": \"USD\"", "\"currency\": \"usd\"", "currency 'usd' is not an ISO 4217 code in capitals")]
    [InlineData("\"value\": \"software-engineer\"", "\"value\": \"Software Engineer\"", "role 'Software Engineer' is not a role slug")]
    [InlineData("\"pattern\": \"engineer\"", "\"pattern\": \"engineer(\"", "is not a valid regular expression")]
    [InlineData("\"regionPrefix\": \"us-\",", "\"regionPrefix\": \"us-\", \"constants2\": 1,", "constants2")]
    [InlineData("\"source\": \"self_reported\"", "\"source\": \"self_reported\", \"equityBasis\": \"rsu\"", "equityBasis 'rsu' is not one of public_rsu, private_rsu_preferred")]
    [InlineData("\"source\": \"self_reported\"", "\"source\": \"self_reported\", \"packageType\": \"raise\"", "packageType 'raise' is not one of new_hire, current")]
    [InlineData("\"source\": \"self_reported\"", "\"source\": \"self_reported\", \"equityVestingSchedule\": \"33/33/22\"",
        "equityVestingSchedule '33/33/22' is not a vesting schedule: The yearly percentages sum to 88; they must sum to 100 (within 0.01).")]
    public void A_mapping_with_a_mistake_is_refused_with_what_is_wrong(string good, string bad, string problem)
    {
        var message = Assert.Throws<MappingException>(() => new RowMapper(Load(Valid.Replace(good, bad)), Today)).Message;
        Assert.Contains(problem, message);
    }

    [Fact]
    public void A_mapping_that_gives_no_source_is_refused() =>
        Assert.Contains("nothing gives source", Problem(Valid.Replace("\"source\": \"self_reported\"", "\"sourceNote\": \"x\"")));

    [Fact]
    public void A_row_is_mapped_field_by_field()
    {
        var datapoint = new RowMapper(Load(Valid), Today).Map(Row(company: "Landry's Restaurants, Inc.")).Datapoint!;

        Assert.Equal(("landrys-restaurants-inc", "Landry's Restaurants, Inc.", "software-engineer", "us-ca", "USD", new DateOnly(2024, 1, 2), 100000m, "self_reported"),
            (datapoint.Employer, datapoint.EmployerName, datapoint.Role, datapoint.Region, datapoint.Currency, datapoint.EffectiveDate, datapoint.BaseSalary, datapoint.Source));
        Assert.Null(datapoint.SourceNote);
    }

    [Fact]
    public void Every_reason_a_row_fails_is_given()
    {
        var result = new RowMapper(Load(Valid), Today).Map(Row(company: "---", title: "Chef", pay: "N/A", state: "XX", date: "2030-01-01"));

        Assert.Null(result.Datapoint);
        Assert.Equal(
        [
            "employer: no letters or digits in the employer name: \"---\"",
            "baseSalary: no amount: \"N/A\"",
            "region: not a region code the API is seeded with: \"us-xx\"",
            "role: no role rule matches the title: \"Chef\"",
            "effectiveDate: in the future: \"2030-01-01\"",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_date_in_another_format_is_refused_with_the_format_expected() =>
        Assert.Equal("effectiveDate: not a date in the format yyyy-MM-dd: \"01/02/2024\"",
            Assert.Single(new RowMapper(Load(Valid), Today).Map(Row(date: "01/02/2024")).Errors).ToString());

    [Fact]
    public void A_title_that_reads_like_a_role_slug_is_still_not_taken_as_one() =>
        // "Designer" at a publisher is not the API's product designer: only rules and constants give a role.
        Assert.Equal("role: no role rule matches the title: \"designer\"",
            Assert.Single(new RowMapper(Load(Valid), Today).Map(Row(title: "designer")).Errors).ToString());

    [Theory]
    [InlineData("Landry's Restaurants, Inc.", "landrys-restaurants-inc")]
    [InlineData("Société Générale", "societe-generale")]
    [InlineData("  ACME -- Corp.  ", "acme-corp")]
    [InlineData("---", "")]
    public void An_employer_name_becomes_a_slug(string name, string slug) => Assert.Equal(slug, Vocabulary.Slugify(name));

    [Fact]
    public void A_long_employer_name_gives_a_slug_of_at_most_100_characters_without_a_trailing_hyphen()
    {
        var slug = Vocabulary.Slugify(string.Join(" ", Enumerable.Repeat("abcdefghi", 20)));
        Assert.Equal(99, slug.Length);     // the 100th character was a hyphen
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", slug);
    }

    [Theory]
    [InlineData("2021", "yyyy", "2021-07-01")]                       // a year alone is its middle
    [InlineData("4/24/2019 11:43:21", "M/d/yyyy H:mm:ss", "2019-04-24")]
    [InlineData("03/07/2013", "MM/dd/yyyy", "2013-03-07")]
    public void Dates_are_read_by_the_mappings_formats(string text, string format, string date)
    {
        Assert.True(RowMapper.TryParseDate(text, [format], out var parsed));
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Fact]
    public void Package_fields_come_from_columns_or_constants_as_the_API_spells_them()
    {
        var mapping = Load(Valid
            .Replace("\"date\" }", "\"date\", \"equityBasis\": \"basis\", \"equityVestingSchedule\": \"vesting\" }")
            .Replace("\"source\": \"self_reported\"", "\"source\": \"self_reported\", \"packageType\": \"promotion\", \"retentionVestingSchedule\": \"[50, 50]\""));
        var mapper = new RowMapper(mapping, Today);
        SourceRow With(string basis, string vesting) => new(2, "raw", new Dictionary<string, string>
        {
            ["company"] = "Acme", ["title"] = "Engineer", ["pay"] = "100000", ["state"] = "CA", ["date"] = "2024-01-02", ["basis"] = basis, ["vesting"] = vesting,
        });

        var datapoint = mapper.Map(With("Public RSU", "5% 15% 40% 40%")).Datapoint!;
        Assert.Equal("public_rsu", datapoint.EquityBasis);
        Assert.Equal([5m, 15m, 40m, 40m], datapoint.EquityVestingSchedule);
        Assert.Equal([50m, 50m], datapoint.RetentionVestingSchedule);
        Assert.Equal("promotion", datapoint.PackageType);

        var blank = mapper.Map(With("", "")).Datapoint!;
        Assert.Null(blank.EquityBasis);
        Assert.Null(blank.EquityVestingSchedule);

        var bad = mapper.Map(With("stock", "33/33/22"));
        Assert.Null(bad.Datapoint);
        Assert.Equal(["equityBasis: not one of public_rsu, private_rsu_preferred, private_rsu_409a, options_spread, profit_units, cash_lti: \"stock\"",
            "equityVestingSchedule: The yearly percentages sum to 88; they must sum to 100 (within 0.01): \"33/33/22\""], bad.Errors.Select(e => e.ToString()));
    }

    public void Dispose() => temp.Dispose();
}
