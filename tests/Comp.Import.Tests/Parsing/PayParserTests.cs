using Comp.Statistics.Parsing;

namespace Comp.Import.Tests.Parsing;

/// <summary>Every shape of pay the real files hold, with the exact annual amount each must give.</summary>
public sealed class PayParserTests
{
    public static TheoryData<string, decimal, string?> PlainAmounts => new()
    {
        { "75000", 75000m, null },
        { "75,000", 75000m, null },
        { "75.000,00", 75000m, null },         // European: the last separator, once, is the decimal comma
        { "45.528,00", 45528m, null },
        { "$75,000.00", 75000m, "USD" },
        { "73 000$", 73000m, "USD" },          // space groups thousands; a trailing $
        { "73\u00A0000 $", 73000m, "USD" },    // no-break space
        { "65.000 EUR", 65000m, "EUR" },       // a dot before three digits groups thousands
        { "100'500", 100500m, null },          // Swiss apostrophe
        { "$92'000.00", 92000m, "USD" },
        { "99, 999", 99999m, null },           // ", " before three digits is a thousands comma
        { "2,40,000", 240000m, null },         // Indian lakh grouping
        { "35K", 35000m, null },
        { "35k", 35000m, null },
        { "99 K", 99000m, null },
        { "99.9k", 99900m, null },
        { "1.2M", 1200000m, null },
        { "$120k+", 120000m, "USD" },
        { "24,000€", 24000m, "EUR" },
        { "€22,000", 22000m, "EUR" },
        { "£32,000", 32000m, "GBP" },
        { "C$80,000", 80000m, "CAD" },
        { "$80,000 CAD", 80000m, "CAD" },
        { "~$85,000", 85000m, "USD" },
        { "Base pay $99999", 99999m, "USD" },
        { "49253.776", 49253.78m, null },      // rounded to cents
    };

    [Theory]
    [MemberData(nameof(PlainAmounts))]
    public void A_plain_amount_is_read_as_written(string text, decimal annual, string? currency)
    {
        Assert.True(PayParser.TryParse(text, out var pay, out var error), error);
        Assert.Equal(annual, pay.Amount);
        Assert.Equal(currency, pay.Currency);
        Assert.Equal(PayPeriod.Unknown, pay.Period);
        Assert.False(pay.WasRange);
    }

    [Fact]
    public void A_bare_dollar_sign_is_USD_but_only_assumed()
    {
        Assert.True(PayParser.TryParse("73 000$", out var dollar, out _));
        Assert.Equal("USD", dollar.Currency);
        Assert.True(dollar.CurrencyIsAssumed);

        Assert.True(PayParser.TryParse("US$ 73,000", out var us, out _));
        Assert.Equal("USD", us.Currency);
        Assert.False(us.CurrencyIsAssumed);
    }

    [Fact]
    public void A_yen_sign_names_no_currency_because_it_is_JPY_or_CNY()
    {
        Assert.True(PayParser.TryParse("¥5000000", out var pay, out _));
        Assert.Equal(5000000m, pay.Amount);
        Assert.Null(pay.Currency);
        Assert.Equal("'¥' names several currencies", pay.Note);
    }

    public static TheoryData<string, PayPeriod, decimal, PayPeriod> Periods => new()
    {
        { "$40/hour", PayPeriod.Unknown, 83200m, PayPeriod.Hour },          // 40 x 2080
        { "$40 per hour", PayPeriod.Unknown, 83200m, PayPeriod.Hour },
        { "40/hr", PayPeriod.Unknown, 83200m, PayPeriod.Hour },
        { "$40 hourly", PayPeriod.Unknown, 83200m, PayPeriod.Hour },
        { "$99.99/ hour. Approx $99k last year", PayPeriod.Unknown, 207979.2m, PayPeriod.Hour },
        { "1500 a week", PayPeriod.Unknown, 78000m, PayPeriod.Week },        // x 52
        { "2000 bi-weekly", PayPeriod.Unknown, 52000m, PayPeriod.BiWeek },  // x 26
        { "3000/month", PayPeriod.Unknown, 36000m, PayPeriod.Month },       // x 12
        { "US$ 5000/month", PayPeriod.Unknown, 60000m, PayPeriod.Month },
        { "£32,000 pa", PayPeriod.Unknown, 32000m, PayPeriod.Year },
        { "99,999/yr", PayPeriod.Unknown, 99999m, PayPeriod.Year },
        { "36.9", PayPeriod.Hour, 76752m, PayPeriod.Hour },                 // a unit column: 36.9 x 2080
        { "7480.77", PayPeriod.Week, 389000.04m, PayPeriod.Week },          // 7480.77 x 52
        { "3737", PayPeriod.BiWeek, 97162m, PayPeriod.BiWeek },             // 3737 x 26
        { "9000", PayPeriod.Month, 108000m, PayPeriod.Month },              // 9000 x 12
        { "$40/hour", PayPeriod.Year, 83200m, PayPeriod.Hour },             // the text's own unit wins over the column's
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void A_pay_per_period_is_annualised(string text, PayPeriod stated, decimal annual, PayPeriod period)
    {
        Assert.True(PayParser.TryParse(text, stated, out var pay, out var error), error);
        Assert.Equal(annual, pay.Amount);
        Assert.Equal(period, pay.Period);
    }

    [Fact]
    public void The_note_says_how_an_hourly_rate_was_annualised()
    {
        Assert.True(PayParser.TryParse("$40/hour", out var pay, out _));
        Assert.Equal(40m, pay.StatedAmount);
        Assert.Equal("40 per hour x 2080 = 83200 a year", pay.Note);
    }

    [Theory]
    [InlineData(PayPeriod.Year, 1)]
    [InlineData(PayPeriod.Unknown, 1)]
    [InlineData(PayPeriod.Hour, 2080)]
    [InlineData(PayPeriod.Week, 52)]
    [InlineData(PayPeriod.BiWeek, 26)]
    [InlineData(PayPeriod.Month, 12)]
    public void Annualise_multiplies_by_the_periods_in_a_year(PayPeriod period, int periods) =>
        Assert.Equal(1234.5m * periods, PayParser.Annualise(1234.5m, period));

    [Theory]
    [InlineData("Year", PayPeriod.Year)]
    [InlineData("Hour", PayPeriod.Hour)]
    [InlineData("Week", PayPeriod.Week)]
    [InlineData("Bi-Weekly", PayPeriod.BiWeek)]
    [InlineData("Month", PayPeriod.Month)]
    [InlineData("per hour", PayPeriod.Hour)]
    [InlineData("hrs", PayPeriod.Hour)]
    [InlineData("p.a.", PayPeriod.Year)]
    [InlineData("annually", PayPeriod.Year)]
    [InlineData("fortnightly", PayPeriod.BiWeek)]
    public void A_unit_column_is_read(string text, PayPeriod period)
    {
        Assert.True(PayParser.TryParseUnit(text, out var parsed));
        Assert.Equal(period, parsed);
    }

    [Fact]
    public void An_unknown_unit_is_not_read() => Assert.False(PayParser.TryParseUnit("Decade", out _));

    [Fact]
    public void A_range_gives_its_midpoint_and_says_so()
    {
        Assert.True(PayParser.TryParse("66000 - 70000", out var pay, out _));
        Assert.Equal(68000m, pay.Amount);
        Assert.True(pay.WasRange);
        Assert.Equal(66000m, pay.Low);
        Assert.Equal(70000m, pay.High);
        Assert.Equal("midpoint of 66000–70000", pay.Note);
    }

    [Fact]
    public void A_K_on_the_top_of_a_range_applies_to_its_bottom()
    {
        Assert.True(PayParser.TryParse("60-90K", out var pay, out _));
        Assert.Equal(75000m, pay.Amount);
        Assert.True(pay.WasRange);
        Assert.Equal(60000m, pay.Low);
        Assert.Equal(90000m, pay.High);
        Assert.Equal("midpoint of 60000–90000", pay.Note);
    }

    [Fact]
    public void A_K_does_not_scale_a_bottom_that_is_already_a_full_amount()
    {
        Assert.True(PayParser.TryParse("60000-90K", out var pay, out _));
        Assert.Equal(75000m, pay.Amount);
    }

    [Fact]
    public void An_hourly_range_gives_its_midpoint_times_2080()
    {
        Assert.True(PayParser.TryParse("60.00 - 65.00", PayPeriod.Hour, out var pay, out _));
        Assert.Equal(130000m, pay.Amount);                // 62.5 x 2080
        Assert.Equal(62.5m, pay.StatedAmount);
        Assert.Equal("midpoint of 60–65; 62.5 per hour x 2080 = 130000 a year", pay.Note);
    }

    [Theory]
    [InlineData("$60,000 - $70,000", 65000)]
    [InlineData("99k to 120k not including super", 109500)]
    [InlineData("50000 – 70000", 60000)]
    [InlineData("$20-25/hr", 46800)]                       // 22.5 x 2080
    public void Other_ranges_give_their_midpoint(string text, int annual)
    {
        Assert.True(PayParser.TryParse(text, out var pay, out var error), error);
        Assert.Equal(annual, pay.Amount);
        Assert.True(pay.WasRange);
    }

    [Fact]
    public void An_open_range_takes_its_only_bound_and_says_so()
    {
        Assert.True(PayParser.TryParse("85000.00 -", out var pay, out _));
        Assert.Equal(85000m, pay.Amount);
        Assert.True(pay.WasRange);
        Assert.Equal(85000m, pay.Low);
        Assert.Null(pay.High);
        Assert.Equal("open range: took its only bound 85000", pay.Note);
    }

    [Fact]
    public void Words_after_the_amount_are_ignored_and_noted()
    {
        Assert.True(PayParser.TryParse("140,000 base + 80,000 bonus/stock", out var pay, out _));
        Assert.Equal(140000m, pay.Amount);
        Assert.Equal("ignored 'base + 80,000 bonus/stock'", pay.Note);
    }

    [Theory]
    [InlineData("", "no pay given")]
    [InlineData("   ", "no pay given")]
    [InlineData("N/A", "no amount")]
    [InlineData("negotiable", "no amount")]
    [InlineData("Hourly", "no amount")]
    [InlineData("Varies >10,000", "unexpected text before the amount")]
    [InlineData("Under 2,000 I don't pay taxes", "unexpected text before the amount")]
    [InlineData("0", "the amount is 0")]
    [InlineData("$0", "the amount is 0")]
    [InlineData("99", "too little for an annual salary (a unit or K missing?)")]
    [InlineData("125,00", "too little for an annual salary (a unit or K missing?)")]
    [InlineData("$0.40/hour", "too little for a salary once annualised")]
    [InlineData("91.553.28", "ambiguous thousands and decimal separators")]
    [InlineData("€30,000 USD", "names two currencies")]
    [InlineData("90K-80K", "the range runs backwards")]
    [InlineData("90-60K", "the range is too wide to stand for one salary")]
    [InlineData("10,000 - 200,000", "the range is too wide to stand for one salary")]
    [InlineData("200,000,000", "above 100,000,000 a year once annualised")]
    [InlineData("50000 - 70000", "above 100,000,000 a year once annualised", PayPeriod.Hour)]
    public void Garbage_is_refused_with_a_reason(string text, string reason, PayPeriod period = PayPeriod.Unknown)
    {
        Assert.False(PayParser.TryParse(text, period, out _, out var error));
        Assert.Equal(reason, error);
    }
}
