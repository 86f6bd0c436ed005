using Atelier.Bench;

// Atelier benchmarks: dotnet run -c Release --project bench/Atelier.Bench -- [suite ...] [--threads N] [--quick] [--arch sd15|sd2] [--only word,word] [--profile | --profile-shapes]
// Every table is printed next to the machine's FMA peak measured in the same run.
IBenchSuite[] suites = SuiteCatalog.All();
int threads = Environment.ProcessorCount;
bool quick = false;
string arch = "sd15";
string? only = null;
bool profile = false, profileShapes = false;
var selected = new List<IBenchSuite>();
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    if (arg == "--threads" && i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0) { threads = t; i++; }
    else if (arg == "--quick") quick = true;
    else if (arg == "--arch" && i + 1 < args.Length) arch = args[++i].ToLowerInvariant();
    else if (arg == "--only" && i + 1 < args.Length) only = args[++i];
    else if (arg == "--profile") profile = true;
    else if (arg == "--profile-shapes") profile = profileShapes = true;
    else if (arg is "--help" or "-h")
    {
        Console.WriteLine("usage: Atelier.Bench [suite ...] [--threads N] [--quick] [--arch sd15|sd2] [--only word,word] [--profile | --profile-shapes]\nsuites:");
        foreach (var s in suites) Console.WriteLine($"  {s.Name,-12} {s.Description}");
        return 0;
    }
    else
    {
        var suite = suites.FirstOrDefault(s => s.Name.Equals(arg, StringComparison.OrdinalIgnoreCase));
        if (suite is null)
        {
            Console.Error.WriteLine($"unknown suite or option '{arg}'; known suites: {string.Join(", ", suites.Select(s => s.Name))}; options: --threads N, --quick, --arch NAME, --only WORDS, --profile, --profile-shapes.");
            return 2;
        }
        selected.Add(suite);
    }
}
if (selected.Count == 0) selected.AddRange(suites);

var options = new BenchOptions(threads, quick, arch, only, profile, profileShapes);
double peak = PeakFlops.Measure(threads);
Console.WriteLine($"threads {threads}   FMA peak (measured) {peak / 1e9:F1} GFLOP/s");
foreach (var suite in selected)
{
    Console.WriteLine();
    Console.WriteLine($"## {suite.Name}: {suite.Description}");
    Console.WriteLine($"{"kernel",-28} {"shape",-34} {"ms",10} {"GFLOP/s",9} {"% peak",7}  note");
    foreach (var row in suite.Run(options))
    {
        string gflops = row.Flops > 0 ? (row.Flops / row.Seconds / 1e9).ToString("F1") : "-";
        string pct = row.Flops > 0 ? (100 * row.Flops / row.Seconds / peak).ToString("F1") : "-";
        Console.WriteLine($"{row.Kernel,-28} {row.Shape,-34} {row.Seconds * 1e3,10:F2} {gflops,9} {pct,7}  {row.Note}");
    }
}
return 0;
