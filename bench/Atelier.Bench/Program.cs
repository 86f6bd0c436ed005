// Atelier benchmarks: `dotnet run -c Release --project bench/Atelier.Bench -- [suite...]`.
Console.WriteLine("Atelier.Bench: no suites yet.");
return 0;
