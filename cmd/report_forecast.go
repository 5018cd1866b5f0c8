package cmd

import "github.com/spf13/cobra"

func newReportForecastCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "forecast", Hidden: true}
}
