import CecertCLI
