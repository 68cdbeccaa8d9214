using Comp.Statistics;

namespace Comp.Statistics.Tests;

public class CurrenciesTests
{
    [Theory]
    [InlineData("USD")]
    [InlineData("EUR")]
    [InlineData("JPY")]
    [InlineData("GBP")]
    public void An_active_upper_case_ISO_4217_code_is_known(string code)
    {
        Assert.True(Currencies.IsKnown(code));
    }

    [Theory]
    [InlineData("usd")]   // codes are upper case
    [InlineData("Usd")]
    [InlineData("XXX")]   // ISO "no currency" code, not a circulating currency
    [InlineData("")]
    [InlineData(null)]
    [InlineData("USD ")]
    public void Anything_else_is_not_a_known_currency(string? code)
    {
        Assert.False(Currencies.IsKnown(code));
    }

    [Fact]
    public void All_lists_only_three_letter_upper_case_codes()
    {
        Assert.Contains("USD", Currencies.All);
        Assert.All(Currencies.All, code => Assert.Matches("^[A-Z]{3}$", code));
    }
}
