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

    [Fact]
    public void Profiles_past_two_bytes_live_in_the_overflow_map_and_keep_their_rows_through_compaction()
    {
        var data = new IndexData();
        // 65,540 distinct two-year schedules (i / 10,000 %, the rest): codes 0 … 65,539, the last five past two bytes.
        var codes = Enumerable.Range(0, 65_540).Select(i => data.Profiles.Intern(0, 0, 2, [i / 10_000.0, 100 - i / 10_000.0], 4, null)).ToArray();
        Assert.Equal(Enumerable.Range(0, 65_540), codes);
        Assert.Equal(2 * 6.5539 / 100, data.Profiles.Entries[65_539].EquityShares[0]);
        Assert.Equal(0.0, data.Profiles.Entries[65_539].EquityShares[2]); // a two-year schedule pays nothing in year 3
        Assert.Equal(1.0, data.Profiles.Entries[65_539].RetentionShares[3]); // even retention over four years

        // Rows in us-ca, us-ny, us-ca: compaction puts the second us-ca row before the us-ny one.
        data.Append(Row(data, 1, "ml-engineer", "us-ca", 100_000) with { Profile = 65_539 });
        data.Append(Row(data, 1, "ml-engineer", "us-ny", 110_000) with { Profile = 3 });
        data.Append(Row(data, 1, "ml-engineer", "us-ca", 120_000) with { Profile = 65_536 });
        Assert.Equal([Profiles.Overflow, (ushort)3, Profiles.Overflow], data.Profile.AsSpan(0, 3).ToArray());
        Assert.Equal([65_539, 3, 65_536], Enumerable.Range(0, 3).Select(data.ProfileOf));

        var copy = data.Compacted();
        Assert.Equal([100_000d, 120_000d, 110_000d], copy.Base.AsSpan(0, 3).ToArray());
        Assert.Equal([65_539, 65_536, 3], Enumerable.Range(0, 3).Select(copy.ProfileOf));
        data.Compact(); // in place: the map is read before it is replaced
        Assert.Equal([65_539, 65_536, 3], Enumerable.Range(0, 3).Select(data.ProfileOf));
        Assert.Equal(2, data.ProfileOverflow.Count);
    }
}
