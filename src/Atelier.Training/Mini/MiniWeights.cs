using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>Writes a trained atelier-mini model as <c>&lt;name&gt;.safetensors</c> + <c>&lt;name&gt;.json</c> (the shipped layout).</summary>
public static class MiniWeights
{
    public static void Export(Module model, string folder, string weightsFileName, string configFileName, string configJson, string modelName, DType floatType)
    {
        Directory.CreateDirectory(folder);
        WeightsFile.Write(Path.Combine(folder, weightsFileName),
            model.NamedParameters().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.Value)),
            new Dictionary<string, string> { ["model"] = modelName }, floatType);
        File.WriteAllText(Path.Combine(folder, configFileName), configJson + "\n");
    }
}
