using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class HeldOutSplitTests
{
    [Fact]
    public void Assign_IsAPureFunctionOfTheConcept() =>
        Assert.Equal(HeldOutSplit.Assign("1F355"), HeldOutSplit.Assign("1F355"));

    [Fact]
    public void Assign_HoldsOutAboutFivePercent()
    {
        int held = Enumerable.Range(0, 20_000).Count(i => HeldOutSplit.Assign($"{0x10000 + i:X5}") == HeldOutSplit.HeldOut);

        // 5% of 20,000 = 1,000; the binomial standard deviation is about 31.
        Assert.InRange(held, 880, 1120);
    }
}
