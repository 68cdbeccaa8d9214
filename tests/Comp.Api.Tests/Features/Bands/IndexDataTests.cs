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
    /// <summary>
    /// A compaction that builds while changes are applied to the index in use: the copy starts
    /// from the rows live at its beginning, and the changes made since, applied to it again, give
    /// it the same content as the index it replaces (the way <c>BandIndex.TidyAsync</c> runs one).
    /// </summary>
    [Fact]
    public void A_compaction_built_beside_changes_has_the_indexs_content_once_the_changes_are_applied_to_it_too()
    {
        var data = new IndexData();
        var rows = new List<IndexRow>
        {
            Row(data, 1, "ml-engineer", "us-or", 100_000), // updated in place after the compaction begins
            Row(data, 1, "ml-engineer", "us-ca", 110_000), // deleted after it begins
            Row(data, 2, "designer", "us-ca", 90_000),     // moved to another region after it begins
            Row(data, 2, "ml-engineer", "us-ca", 95_000),  // deleted before it begins
            Row(data, 3, "designer", "us-or", 80_000),     // untouched
        };
        foreach (var row in rows)
            data.Append(row);
        foreach (var id in new[] { 1, 2, 3 })
            data.SetEmployer(id, $"e{id}");
        data.Delete(rows[3].Id);

        var compaction = data.BeginCompaction();
        // The changes a catch-up applies meanwhile, to the index in use (a resize included: 5,000 appended rows).
        var changes = new List<Action<IndexData>>
        {
            d => d.Upsert(rows[0] with { Base = 101_000 }),
            d => d.Delete(rows[1].Id),
            d => d.Upsert(rows[2] with { Region = data.Regions.Intern("us-or") }),
            d => d.SetEmployer(4, "e4"),
        };
        var appended = Enumerable.Range(0, 5_000).Select(i => Row(data, 4, "ml-engineer", "us-ny", 70_000 + i)).ToList();
        changes.AddRange(appended.Select(row => (Action<IndexData>)(d => d.Upsert(row))));
        foreach (var change in changes)
            change(data);
        var copy = compaction.Build();
        // Built from the rows as they were when it began, bar torn rows: no content of its own yet.
        Assert.Equal(4, copy.Live);
        foreach (var change in changes)
            change(copy);

        static List<(Guid, int, int, double)> Content(IndexData d) => Enumerable.Range(0, d.Count)
            .Where(r => (d.Flags[r] & IndexData.DeletedFlag) == 0)
            .Select(r => (d.Ids[r], (int)d.Region[r], d.Employer[r] is var code ? int.Parse(d.EmployerSlugs[code]![1..]) : 0, d.Base[r]))
            .OrderBy(r => r.Item1).ToList();
        Assert.Equal(5_003, data.Live);
        Assert.Equal(data.Live, copy.Live);
        Assert.Equal(Content(data), Content(copy));
        Assert.Equal(4, copy.Clustered); // the frozen rows are in order, the rest appended after them
        Assert.True(copy.TryEmployerId("e4", out var four) && four == 4);
        Assert.Equal(5_000, copy.ByEmployer[copy.TryEmployerCode(4, out var code4) ? code4 : -1].Count);
    }
}
