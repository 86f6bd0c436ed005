namespace Atelier.Tensors.Tests;

public class MersenneTwister19937Tests
{
    [Fact]
    public void DefaultSeedGivesTheStandardSequence()
    {
        // mt19937ar.c with init_genrand(5489): first output 3499211612; C++ [rand.predef] requires the 10000th output
        // of a default-constructed std::mt19937 to be 4123659995.
        var engine = new MersenneTwister19937();
        Assert.Equal(MersenneTwister19937.DefaultSeed, engine.Seed);
        Assert.Equal(3499211612u, engine.NextUInt32());
        for (int i = 2; i < 10000; i++)
            engine.NextUInt32();
        Assert.Equal(4123659995u, engine.NextUInt32());
    }

    [Fact]
    public void OnlyTheLow32BitsOfTheSeedEnterTheState()
    {
        var low = new MersenneTwister19937(1);
        var high = new MersenneTwister19937((1ul << 32) + 1);
        Assert.Equal((1ul << 32) + 1, high.Seed);
        for (int i = 0; i < 1000; i++)
            Assert.Equal(low.NextUInt32(), high.NextUInt32());
    }

    [Fact]
    public void NextUInt64PutsTheFirstDrawInTheHighHalf()
    {
        var a = new MersenneTwister19937(7);
        var b = new MersenneTwister19937(7);
        for (int i = 0; i < 700; i++) // crosses a state regeneration (624 words)
        {
            ulong wide = a.NextUInt64();
            ulong hi = b.NextUInt32(), lo = b.NextUInt32();
            Assert.Equal((hi << 32) | lo, wide);
        }
    }

    [Fact]
    public void FieldsFollowPyTorchsBookkeeping()
    {
        var engine = new MersenneTwister19937(3);
        Assert.Equal((1, 0), (engine.Left, engine.Next));
        engine.NextUInt32();
        Assert.Equal((MersenneTwister19937.StateSize, 1), (engine.Left, engine.Next));
        for (int i = 1; i < MersenneTwister19937.StateSize; i++)
            engine.NextUInt32();
        Assert.Equal((1, MersenneTwister19937.StateSize), (engine.Left, engine.Next));
    }

    [Fact]
    public void CloneAndRestoreContinueTheSameSequence()
    {
        var engine = new MersenneTwister19937(11);
        for (int i = 0; i < 1234; i++)
            engine.NextUInt32();
        var clone = engine.Clone();
        var restored = new MersenneTwister19937(999);
        restored.Restore(engine.Seed, engine.Left, engine.Next, engine.State);
        for (int i = 0; i < 2000; i++)
        {
            uint expected = engine.NextUInt32();
            Assert.Equal(expected, clone.NextUInt32());
            Assert.Equal(expected, restored.NextUInt32());
        }
        Assert.Equal(11ul, restored.Seed);
    }

    [Fact]
    public void RestoreRefusesInconsistentStates()
    {
        var engine = new MersenneTwister19937(5);
        uint[] words = engine.State.ToArray();
        Assert.Throws<ArgumentException>(() => engine.Restore(1, 1, 0, words.AsSpan(0, 623)));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Restore(1, 0, 0, words));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Restore(1, 625, 0, words));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Restore(1, 1, 625, words));
        var e = Assert.Throws<ArgumentException>(() => engine.Restore(1, 3, 624, words));
        Assert.Contains("next (624) + left (3)", e.Message);
        // The engine is untouched by the refused calls.
        Assert.Equal(new MersenneTwister19937(5).NextUInt32(), engine.NextUInt32());
    }
}
