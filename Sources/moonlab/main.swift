import Foundation
import MoonCLI

exit(MoonlabCommand.main())
