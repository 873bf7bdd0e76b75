import CecertCLI
import Foundation

exit(CecertCommand.main(Array(CommandLine.arguments.dropFirst())))
