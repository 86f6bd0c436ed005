using System.Numerics;
using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// The fast filter paths against their scalar references, at every filter type, every bpp and every row length from
/// 0 to 4 × vector width + 1 plus ragged large lengths. CI reruns these with DOTNET_EnableHWIntrinsic=0.
/// </summary>
[Trait("Category", "Kernel")]
public class PngFilterKernelTests
{
    private static readonly PngFilterType[] s_types = Enum.GetValues<PngFilterType>();

    public static IEnumerable<int> Lengths()
    {
        int widest = Math.Max(Vector<byte>.Count, 16);
        for (int n = 0; n <= 4 * widest + 1; n++)
            yield return n;
        foreach (int n in new[] { 255, 1000, 4099, 3 * 1024 + 7 })
            yield return n;
    }

    [Fact]
    public void Unfilter_fast_path_equals_reference()
    {
        var random = new Random(1);
        foreach (var type in s_types)
        {
            for (int bpp = 1; bpp <= 8; bpp++)
            {
                foreach (int length in Lengths())
                {
                    var (row, prior) = RandomRows(random, length);
                    var expected = row.ToArray();
                    PngUnfilter.Reference(type, expected, prior, bpp);
                    var actual = row.ToArray();
                    PngUnfilter.Apply(type, actual, prior, bpp);
                    AssertSame(expected, actual, $"unfilter {type} bpp {bpp} length {length}");
                }
            }
        }
    }

    [Fact]
    public void Filter_fast_path_equals_reference()
    {
        var random = new Random(2);
        foreach (var type in s_types)
        {
            for (int bpp = 1; bpp <= 8; bpp++)
            {
                foreach (int length in Lengths())
                {
                    var (row, prior) = RandomRows(random, length);
                    var expected = new byte[length];
                    PngRowFilter.Reference(type, row, prior, bpp, expected);
                    var actual = new byte[length];
                    PngRowFilter.Apply(type, row, prior, bpp, actual);
                    AssertSame(expected, actual, $"filter {type} bpp {bpp} length {length}");
                }
            }
        }
    }

    [Fact]
    public void Unfilter_inverts_filter()
    {
        var random = new Random(3);
        foreach (var type in s_types)
        {
            for (int bpp = 1; bpp <= 8; bpp++)
            {
                foreach (int length in Lengths())
                {
                    var (row, prior) = RandomRows(random, length);
                    var filtered = new byte[length];
                    PngRowFilter.Apply(type, row, prior, bpp, filtered);
                    PngUnfilter.Apply(type, filtered, prior, bpp);
                    AssertSame(row, filtered, $"round trip {type} bpp {bpp} length {length}");
                }
            }
        }
    }

    [Fact]
    public void Filters_match_the_specification_on_a_worked_example()
    {
        // bpp 1, row [10, 20, 30], prior [5, 100, 7]; predictors from PNG §9.2 Table 9 computed by hand.
        byte[] row = [10, 20, 30], prior = [5, 100, 7];
        var output = new byte[3];
        PngRowFilter.Reference(PngFilterType.Sub, row, prior, 1, output);
        Assert.Equal(new byte[] { 10, 10, 10 }, output);
        PngRowFilter.Reference(PngFilterType.Up, row, prior, 1, output);
        Assert.Equal(new byte[] { 5, unchecked((byte)-80), 23 }, output);
        PngRowFilter.Reference(PngFilterType.Average, row, prior, 1, output);
        Assert.Equal(new byte[] { 8, unchecked((byte)-35), 17 }, output); // (0+5)/2=2, (10+100)/2=55, (20+7)/2=13
        PngRowFilter.Reference(PngFilterType.Paeth, row, prior, 1, output);
        // x=0: a=0,b=5,c=0 → b=5; x=1: a=10,b=100,c=5, p=105 → b=100; x=2: a=20,b=7,c=100, p=-73 → pb=80, pa=93, pc=173 → b=7.
        Assert.Equal(new byte[] { 5, unchecked((byte)-80), 23 }, output);
    }

    [Fact]
    public void Paeth_predictor_breaks_ties_towards_a_then_b()
    {
        Assert.Equal(2, PngUnfilter.PaethPredictor(2, 8, 6));   // p=4: pa=2, pb=4, pc=2 → a wins the tie with c
        Assert.Equal(20, PngUnfilter.PaethPredictor(5, 20, 10)); // p=15: pa=10, pb=5, pc=5 → b wins the tie with c
        Assert.Equal(15, PngUnfilter.PaethPredictor(10, 20, 15)); // p=15: pc=0 → c
    }

    [Fact]
    public void Sum_of_absolutes_equals_reference()
    {
        var random = new Random(4);
        foreach (int length in Lengths().Concat([70_000]))
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(PngRowFilter.SumOfAbsolutesReference(data), PngRowFilter.SumOfAbsolutes(data));
        }
        var extremes = Enumerable.Repeat((byte)0x80, 1000).ToArray();
        Assert.Equal(128_000, PngRowFilter.SumOfAbsolutes(extremes));
    }

    private static (byte[] Row, byte[] Prior) RandomRows(Random random, int length)
    {
        var row = new byte[length];
        var prior = new byte[length];
        random.NextBytes(row);
        random.NextBytes(prior);
        return (row, prior);
    }

    private static void AssertSame(byte[] expected, byte[] actual, string what)
    {
        int first = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(first == expected.Length && actual.Length == expected.Length,
            $"{what}: first difference at byte {first} (expected {(first < expected.Length ? expected[first] : -1)}, got {(first < actual.Length ? actual[first] : -1)}).");
    }
}
