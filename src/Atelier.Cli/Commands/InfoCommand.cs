using System.CommandLine;
using System.Runtime.Intrinsics;

namespace Atelier.Cli.Commands;

/// <summary><c>atelier info</c>: what this machine offers the engine (vector width, cores, runtime).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the runtime, CPU vector support and thread count the engine will use.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"runtime      {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
            Console.WriteLine($"cores        {Environment.ProcessorCount}");
            Console.WriteLine($"Vector512    {Vector512.IsHardwareAccelerated}");
            Console.WriteLine($"Vector256    {Vector256.IsHardwareAccelerated}");
            return 0;
        });
        return command;
    }
}
