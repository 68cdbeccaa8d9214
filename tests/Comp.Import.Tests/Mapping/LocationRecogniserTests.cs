using Comp.Import.Mapping;

namespace Comp.Import.Tests.Mapping;

/// <summary>Free-text locations as the Ask a Manager survey has them.</summary>
public sealed class LocationRecogniserTests
{
    [Theory]
    [InlineData("Nashville, TN", "us-tn")]
    [InlineData("Madison, Wi", "us-wi")]                         // a code alone after a comma, in any case
    [InlineData("Brick NJ", "us-nj")]                            // a code in capitals
    [InlineData("Dallas, Texas, United States", "us-tx")]
    [InlineData("Remote in Texas", "us-tx")]                     // "in" inside a sentence is a word, not Indiana
    [InlineData("Southeast Michigan, USA", "us-mi")]
    [InlineData("Kansas City, MO", "us-mo")]                     // a state code beats a state name
    [InlineData("NY/NJ", "us")]                                  // two states: the country
    [InlineData("Georgia", "us-ga")]                             // the state, not the country
    [InlineData("Jersey City, NJ", "us-nj")]                     // Jersey the island does not count beside a state
    [InlineData("Cardiff, UK", "gb")]
    [InlineData("Edinburgh, Scotland", "gb-sct")]
    [InlineData("Montreal, QC, Canada", "ca-qc-montreal")]
    [InlineData("Toronto/ON/Canada", "ca-on-toronto")]
    [InlineData("London, Ontario", "ca-on")]                     // not the London metro: it is not in Ontario
    [InlineData("Perth, WA, Australia", "au")]                   // a named country beats the WA code
    [InlineData("Seattle, WA, USA", "us-wa-seattle")]
    [InlineData("San Francisco, CA, USA", "us-ca-sf-bay-area")]
    [InlineData("Washington, D.C.", "us-dc-washington")]
    [InlineData("Dublin, OH", "us-oh")]
    [InlineData("Zürich, Switzerland", "ch-zh-zurich")]
    [InlineData("Eindhoven Netherland", "nl")]
    [InlineData("Philadelphia", null)]
    [InlineData("Midwest", null)]
    [InlineData("", null)]
    public void A_location_is_read_as_a_region(string text, string? region) =>
        Assert.Equal(region, LocationRecogniser.Instance.Recognise(text));

    [Theory]
    [InlineData("Paris", "EUR", "fr-idf-paris")]
    [InlineData("Chicago", "USD", "us-il-chicago")]
    [InlineData("London", "GBP", "gb-eng-london")]
    [InlineData("Vancouver", "CAD", "ca-bc-vancouver")]
    [InlineData("Vancouver", "USD", null)]                       // Vancouver, Washington perhaps: the metro is paid in CAD
    [InlineData("Dublin", "USD", null)]                          // Dublin, Ohio perhaps: neither Ireland's county nor its metro
    [InlineData("Ontario", "CAD", "ca-on")]
    [InlineData("Ontario", "USD", null)]                         // Ontario, California perhaps
    public void A_place_named_alone_counts_only_when_paid_in_its_currency(string text, string currency, string? region) =>
        Assert.Equal(region, LocationRecogniser.Instance.Recognise(text, currency));
}
