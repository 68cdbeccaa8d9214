using Comp.Api.Features.Bands.Engine;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>The band index's storage on its own (no database): employer codes and compaction.</summary>
public sealed class IndexDataTests
{
    private static IndexRow Row(IndexData data, int employerId, string role, string region, double pay) => new()
    {
        Id = Guid.NewGuid(),
        EmployerId = employerId,
        Role = data.Roles.Intern(role),
        Region = data.Regions.Intern(region),
        Currency = data.Currencies.Intern("USD"),
        Source = data.Sources.Intern("self_reported"),
        Day = 8_000,
        Base = pay,
        Bonus = double.NaN,
        Equity = double.NaN,
        Retention = double.NaN,
        Signon = double.NaN,
    };

    [Fact]
    public void Employers_are_numbered_densely_whatever_their_database_ids()
    {
        var data = new IndexData();
        // Database ids with gaps, as a sequence leaves them after upserts: 7, 224,904, 1,000,000.
        data.Append(Row(data, 224_904, "ml-engineer", "us-ca", 100_000));
        data.Append(Row(data, 7, "ml-engineer", "us-ca", 110_000));
        data.Append(Row(data, 1_000_000, "designer", "us-or", 90_000));
        data.Append(Row(data, 7, "designer", "us-ca", 95_000));
        data.SetEmployer(7, "alpha");
        data.SetEmployer(224_904, "beta");
        data.SetEmployer(1_000_000, "gamma");

        Assert.Equal(3, data.Employers);
        Assert.Equal([0, 1, 2, 1], data.Employer.AsSpan(0, 4).ToArray()); // codes in the order first met
        Assert.True(data.TryEmployerCode(1_000_000, out var gamma));
        Assert.Equal("gamma", data.EmployerSlugs[gamma]);
        Assert.False(data.TryEmployerCode(8, out _));
        Assert.True(data.EmployerSlugs.Length < 100, $"{data.EmployerSlugs.Length} slots for 3 employers");
        Assert.True(data.TryEmployerCode(7, out var alpha));
        Assert.Equal([1, 3], data.ByEmployer[alpha].Rows.ToArray());

        // A compacted copy keeps the codes; its rows are in role-and-region order (codes follow
        // first sight: ml-engineer 0, designer 1; us-ca 0, us-or 1), each key's rows as they were.
        var compacted = data.Compacted();
        Assert.Equal(3, compacted.Employers);
        Assert.Equal(4, compacted.Clustered);
        Assert.Equal([100_000d, 110_000d, 95_000d, 90_000d], compacted.Base.AsSpan(0, 4).ToArray());
        Assert.Equal([0, 1, 1, 2], compacted.Employer.AsSpan(0, 4).ToArray());
        Assert.Equal(["beta", "alpha", "alpha", "gamma"], compacted.Employer.AsSpan(0, 4).ToArray().Select(code => compacted.EmployerSlugs[code]));
        Assert.Equal([1, 2], compacted.ByEmployer[alpha].Rows.ToArray());
        Assert.True(compacted.KnowsEmployer(224_904));
        Assert.False(compacted.KnowsEmployer(8));
    }
}
