using Atelier.Bench.Suites;

namespace Atelier.Bench;

/// <summary>The suites, in the order a full run prints them. Add a suite here when adding its file under Suites/.</summary>
internal static class SuiteCatalog
{
    public static IBenchSuite[] All() =>
    [
        new GemmSuite(),
        new ConvSuite(),
        new RandomSuite(),
        new SafetensorsSuite(),
        new TensorOpsSuite(),
        new AttentionSuite(),
        new MiniClipSuite(),
        new PngSuite(),
        new ClipVaeSuite(),
        new UNetSuite(),
        new PipelineSuite(),
        new MiniSuite(),
    ];
}
