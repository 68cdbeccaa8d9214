using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Oracle: Array.Sort. After SelectRanks every requested rank must hold the value a sort puts there,
// and the values as a whole must still be the same multiset (selection only rearranges).
public class SelectionTests
{
    private delegate double[] Shape(Random random, int n);

    // Orders and value sets that break naive quickselects: runs of one salary, a single value,
    // sorted and reverse sorted input, organ pipes, few distinct values.
    private static readonly (string Name, Shape Make)[] Shapes =
    [
        ("distinct", (r, n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() * 1e6).ToArray()),
        ("cents", (r, n) => Enumerable.Range(0, n).Select(_ => Math.Round(40_000 + r.NextDouble() * 200_000, 2)).ToArray()),
        ("three values", (r, n) => Enumerable.Range(0, n).Select(_ => (double)r.Next(3)).ToArray()),
        ("mostly 150000", (r, n) => Enumerable.Range(0, n).Select(_ => r.Next(10) < 9 ? 150_000.00 : r.Next(100_000, 200_000)).ToArray()),
        ("all equal", (_, n) => Enumerable.Repeat(150_000.00, n).ToArray()),
        ("sorted", (_, n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray()),
        ("reverse sorted", (_, n) => Enumerable.Range(0, n).Select(i => (double)(n - i)).ToArray()),
        ("organ pipe", (_, n) => Enumerable.Range(0, n).Select(i => (double)Math.Min(i, n - 1 - i)).ToArray()),
        ("sawtooth", (_, n) => Enumerable.Range(0, n).Select(i => (double)(i % 17)).ToArray()),
        ("negatives and zeros", (r, n) => Enumerable.Range(0, n).Select(_ => (double)r.Next(-5, 6) * 0.5).ToArray()),
    ];

    private delegate void Placing(Span<double> values, ReadOnlySpan<int> ranks);

    /// <summary>Runs <paramref name="place"/> on a copy; every rank must hold what a sort puts there. Returns the sorted values and the copy.</summary>
    private static (double[] Sorted, double[] Placed) AssertPlaces(Placing place, double[] original, int[] ranks, string because)
    {
        var expected = (double[])original.Clone();
        Array.Sort(expected);
        var values = (double[])original.Clone();

        place(values, ranks);

        foreach (var rank in ranks)
            Assert.True(expected[rank] == values[rank], $"{because}: rank {rank} holds {values[rank]}, sorted {expected[rank]}");
        return (expected, values);
    }

    private static void AssertSelects(double[] original, int[] ranks, string because)
    {
        var (expected, values) = AssertPlaces(Selection.SelectRanks, original, ranks, because);
        Array.Sort(values);
        Assert.True(expected.AsSpan().SequenceEqual(values), $"{because}: the values changed, not just their order");
    }

    private static int[] RandomRanks(Random random, int n, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(n)).ToArray();

    [Fact]
    public void Ranks_are_placed_as_a_sort_would_place_them()
    {
        // [5, 1, 4, 1, 3] sorted is [1, 1, 3, 4, 5].
        double[] values = [5, 1, 4, 1, 3];

        Selection.SelectRanks(values, [0, 2, 4]);

        Assert.Equal(1, values[0]);
        Assert.Equal(3, values[2]);
        Assert.Equal(5, values[4]);
    }

    [Fact]
    public void Ranks_may_come_in_any_order_and_repeat()
    {
        // 30 values 30, 29, …, 1: rank r holds r + 1.
        var values = Enumerable.Range(1, 30).Select(i => (double)(31 - i)).ToArray();

        Selection.SelectRanks(values, [29, 0, 17, 0, 29, 3]);

        Assert.Equal(30, values[29]);
        Assert.Equal(1, values[0]);
        Assert.Equal(18, values[17]);
        Assert.Equal(4, values[3]);
    }

    [Fact]
    public void No_ranks_leave_the_values_untouched()
    {
        double[] values = [3, 1, 2];

        Selection.SelectRanks(values, []);

        Assert.Equal([3, 1, 2], values);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void A_rank_outside_the_values_throws(int rank)
    {
        double[] values = [3, 1, 2];

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Selection.SelectRanks(values, [0, rank]));

        Assert.Equal("ranks", ex.ParamName);
    }

    [Fact]
    public void Every_size_up_to_200_and_every_shape_select_like_a_sort()
    {
        // Per size and shape: a single rank, the extremes, a handful of random ranks (deep
        // partitioning), and more than n/8 ranks (the sort path). Seed 7.
        var random = new Random(7);
        foreach (var (name, make) in Shapes)
        {
            for (var n = 1; n <= 200; n++)
            {
                var values = make(random, n);
                AssertSelects(values, [random.Next(n)], $"{name}, n={n}, one rank");
                AssertSelects(values, [0, n - 1], $"{name}, n={n}, extremes");
                AssertSelects(values, RandomRanks(random, n, 1 + random.Next(6)), $"{name}, n={n}, a few ranks");
                AssertSelects(values, RandomRanks(random, n, 1 + n / 4), $"{name}, n={n}, many ranks");
            }
        }
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void Large_arrays_of_every_shape_select_like_a_sort(int n)
    {
        // The ranks a band reads: the extremes plus up to 4 per percentile for a random set of percentiles.
        var random = new Random(n);
        foreach (var (name, make) in Shapes)
        {
            var values = make(random, n);
            var ranks = RandomRanks(random, n, 2 + random.Next(1, 400)).Append(0).Append(n - 1).ToArray();
            AssertSelects(values, ranks, $"{name}, n={n}");
        }
    }

    [Fact]
    public void A_salary_repeated_thousands_of_times_is_selected_at_every_rank_it_covers()
    {
        // 10,000 values: 1,000 of 100,000.00, 8,000 of 150,000.00 and 1,000 of 200,000.00, shuffled
        // (seed 11). Sorted, ranks 0–999 hold 100,000, 1,000–8,999 hold 150,000, 9,000–9,999 hold 200,000.
        var values = Enumerable.Repeat(100_000.00, 1_000)
            .Concat(Enumerable.Repeat(150_000.00, 8_000))
            .Concat(Enumerable.Repeat(200_000.00, 1_000))
            .ToArray();
        new Random(11).Shuffle(values);

        Selection.SelectRanks(values, [0, 999, 1_000, 4_999, 8_999, 9_000, 9_999]);

        Assert.Equal(100_000.00, values[0]);
        Assert.Equal(100_000.00, values[999]);
        Assert.Equal(150_000.00, values[1_000]);
        Assert.Equal(150_000.00, values[4_999]);
        Assert.Equal(150_000.00, values[8_999]);
        Assert.Equal(200_000.00, values[9_000]);
        Assert.Equal(200_000.00, values[9_999]);
    }

    // WriteRanks: the same oracle at every requested rank; the rest of the span is scratch.
    private static void AssertWrites(double[] original, int[] ranks, string because) =>
        AssertPlaces(Selection.WriteRanks, original, ranks, because);

    [Theory]
    [InlineData(32_768)]
    [InlineData(100_003)]
    [InlineData(1_000_000)]
    public void Written_ranks_of_large_arrays_of_every_shape_are_those_of_a_sort(int n)
    {
        var random = new Random(n);
        // Pay-like shapes besides the adversarial ones: log-normal, a heavy tail, outliers that
        // stretch the histogram's range, infinities, a value at both signed zeros.
        (string Name, Shape Make)[] pay =
        [
            ("log-normal", (r, k) => Enumerable.Range(0, k).Select(_ => Math.Round(Math.Exp(11.8 + 0.5 * Normal(r)), 2)).ToArray()),
            ("heavy tail and a zero", (r, k) => Enumerable.Range(0, k).Select(i => i == 7 ? 0 : Math.Round(1e5 / Math.Pow(r.NextDouble() + 1e-9, 0.8), 2)).ToArray()),
            ("outliers", (r, k) => Enumerable.Range(0, k).Select(i => i % 1000 == 3 ? 1e30 : i % 1000 == 5 ? -1e-300 : 50_000 + r.Next(200_000)).ToArray()),
            ("infinities", (r, k) => Enumerable.Range(0, k).Select(i => i % 97 == 0 ? double.PositiveInfinity : i % 89 == 0 ? double.NegativeInfinity : r.NextDouble()).ToArray()),
            ("signed zeros", (r, k) => Enumerable.Range(0, k).Select(i => i % 3 == 0 ? -0.0 : i % 3 == 1 ? 0.0 : 1.0).ToArray()),
        ];
        foreach (var (name, make) in Shapes.Concat(pay))
        {
            var values = make(random, n);
            AssertWrites(values, [0, n - 1, .. RandomRanks(random, n, 40)], $"{name}, n = {n}");
            // Every rank of a band's grid and its neighbours.
            AssertWrites(values, Enumerable.Range(1, 19).SelectMany(p => new[] { (n - 1) * p / 20, Math.Min(n - 1, (n - 1) * p / 20 + 1) }).ToArray(), $"{name} grid, n = {n}");
        }
    }

    [Fact]
    public void Writing_ranks_checks_them_and_small_arrays_select_as_before()
    {
        var values = Enumerable.Range(0, 40_000).Select(i => (double)(i * 7 % 40_000)).ToArray();
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.WriteRanks(values, [40_000]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.WriteRanks(values, [-1]));
        Selection.WriteRanks(values, [12_345, 0, 39_999, 12_345]);
        Assert.Equal(12_345, values[12_345]);
        Assert.Equal(0, values[0]);
        Assert.Equal(39_999, values[39_999]);

        // Below 32,768 values: SelectRanks, which keeps the values a permutation.
        AssertSelects(Enumerable.Range(0, 1_000).Select(i => (double)(1_000 - i)).ToArray(), [3, 500], "small");
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
