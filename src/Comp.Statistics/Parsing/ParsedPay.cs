namespace Comp.Statistics.Parsing;

/// <summary>The period a pay figure is stated per.</summary>
public enum PayPeriod
{
    /// <summary>No unit was given; the figure is taken as annual.</summary>
    Unknown,
    Year,
    Hour,
    Week,
    BiWeek,
    Month,
}

/// <summary>A pay figure read from free text by <see cref="PayParser"/>.</summary>
public sealed record ParsedPay
{
    /// <summary>The annual amount (the stated amount annualised), rounded to 2 decimals.</summary>
    public required decimal Amount { get; init; }

    /// <summary>The amount per <see cref="Period"/> as stated (a range's midpoint), before annualising.</summary>
    public required decimal StatedAmount { get; init; }

    public required PayPeriod Period { get; init; }

    /// <summary>ISO 4217 code the text names, or null when it names none (or only an ambiguous sign such as ¥).</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// True when <see cref="Currency"/> comes from a bare <c>$</c>: USD unless the source says
    /// otherwise, since Canada, Australia and others write their dollars the same way.
    /// </summary>
    public bool CurrencyIsAssumed { get; init; }

    /// <summary>The text gave a range (<c>60-90K</c>) or an open range (<c>85000 -</c>).</summary>
    public bool WasRange { get; init; }

    /// <summary>A range's bounds per <see cref="Period"/>; <see cref="High"/> is null for an open range.</summary>
    public decimal? Low { get; init; }

    public decimal? High { get; init; }

    /// <summary>What was done to get <see cref="Amount"/>, e.g. "midpoint of 60000–90000"; null when the text was a plain amount.</summary>
    public string? Note { get; init; }
}
