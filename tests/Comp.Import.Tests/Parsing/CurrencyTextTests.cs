using Comp.Statistics.Parsing;

namespace Comp.Import.Tests.Parsing;

public sealed class CurrencyTextTests
{
    [Theory]
    [InlineData("USD", "USD")]
    [InlineData("Aud", "AUD")]                       // the whole text is a code, in any case
    [InlineData(" sgd ", "SGD")]
    [InlineData("INR - Indian Rupees", "INR")]       // a code in capitals inside
    [InlineData("Singapore dollars (Sgd)", "SGD")]   // a code in brackets
    [InlineData("AUD/NZD", "AUD")]                   // the first code named
    [InlineData("Polish Zloty", "PLN")]
    [InlineData("Israeli shekels", "ILS")]
    [InlineData("Norwegian crowns", "NOK")]
    [InlineData("NTD", "TWD")]
    [InlineData("€", "EUR")]
    public void A_currency_field_is_recognised(string text, string code)
    {
        Assert.True(CurrencyText.TryRecognise(text, out var recognised));
        Assert.Equal(code, recognised);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Other")]
    [InlineData("Dollars")]
    [InlineData("Rupees")]
    [InlineData("N/A")]
    [InlineData("Bitcoin")]
    [InlineData("Includes monthly incentive pay which can double base pay")]
    public void Text_naming_no_single_currency_is_not_recognised(string text) =>
        Assert.False(CurrencyText.TryRecognise(text, out _));
}
